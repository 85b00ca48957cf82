package org.hemefhir.ingest.hl7v2;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.hemefhir.fhirserver.ServerProperties;
import org.hemefhir.security.SecurityProperties;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class MllpListenerTest {

	@Test
	void withSecurityOnTheListenerNeedsItsSendersListed() {
		SecurityProperties smart = new SecurityProperties(SecurityProperties.Mode.SMART, false, "https://idp", "aud",
				null, null, null, List.of("RS256"), Duration.ofSeconds(30));
		MllpListener listener = new MllpListener(null, null, hl7v2(List.of()), server(), smart, null);
		assertThatThrownBy(listener::start).hasMessageContaining("hemefhir.hl7v2.mllp-allowed-senders");
		MllpListener misspelt = new MllpListener(null, null, hl7v2(List.of("lab.example.org")), server(), smart, null);
		assertThatThrownBy(misspelt::start).hasMessageContaining("lab.example.org");
	}

	@Test
	void sendersAreIpAddresses() {
		org.assertj.core.api.Assertions.assertThat(MllpListener.senders(List.of("10.1.2.3", " ::1 "))).hasSize(2);
		assertThatThrownBy(() -> MllpListener.senders(List.of("999.1.1.1"))).hasMessageContaining("999.1.1.1");
	}

	private static Hl7v2Properties hl7v2(List<String> senders) {
		return new Hl7v2Properties(2575, 4, Duration.ofMinutes(1), ZoneOffset.UTC, senders);
	}

	private static ServerProperties server() {
		return new ServerProperties(Path.of("data"), DataSize.ofMegabytes(5), 20, 500, 5);
	}

}
