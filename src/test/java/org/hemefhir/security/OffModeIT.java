package org.hemefhir.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.Collections;
import java.util.Optional;
import org.hemefhir.FhirIntegrationTest;
import org.junit.jupiter.api.Test;

/** The default: security off, so the server is reachable from this machine only. */
class OffModeIT extends FhirIntegrationTest {

	@Test
	void listensOnLoopbackOnly() throws IOException {
		try (Socket local = new Socket()) {
			local.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
		}
		Optional<InetAddress> lan = Collections.list(NetworkInterface.getNetworkInterfaces())
			.stream()
			.flatMap(i -> Collections.list(i.getInetAddresses()).stream())
			.filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
			.findFirst();
		assumeTrue(lan.isPresent(), "this machine has no address besides the loopback one");
		assertThatThrownBy(() -> {
			try (Socket remote = new Socket()) {
				remote.connect(new InetSocketAddress(lan.get(), port), 2_000);
			}
		}).isInstanceOf(IOException.class);
	}

	@Test
	void announcesNoAuthorization() {
		assertThat(given().get("/.well-known/smart-configuration").statusCode()).isEqualTo(404);
		assertThat(given().get("/metadata").jsonPath().getList("rest[0].security.service")).isNullOrEmpty();
	}

	@Test
	void theViewerIsToldNotToSignIn() {
		var config = given().basePath("/").get("/viewer/config.json");
		assertThat(config.statusCode()).isEqualTo(200);
		assertThat(config.jsonPath().getString("security")).isEqualTo("off");
		assertThat(config.jsonPath().getString("fhirBase")).isEqualTo("/fhir");
		assertThat(config.jsonPath().getString("clientId")).isEqualTo("hemefhir-viewer");
		// no sign-in without the built-in authorization server
		assertThat(given().basePath("/").redirects().follow(false).get("/login").statusCode()).isEqualTo(404);
	}

}
