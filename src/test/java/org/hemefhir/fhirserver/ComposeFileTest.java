package org.hemefhir.fhirserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code compose.yaml} holds together: its nodes are configured alike (PostgresIT starts
 * a node with that configuration), and the load balancer sends requests to the port the
 * nodes listen on.
 */
class ComposeFileTest {

	private static final Map<String, String> VALUES = Map.of("HEMEFHIR_DB_PASSWORD", "secret", "HEMEFHIR_PUBLIC_URL",
			"https://fhir.example.org");

	@Test
	void everyNodeHasTheSameSettingsAndADataVolumeOfItsOwn() throws Exception {
		ComposeFile compose = ComposeFile.read();
		Map<String, String> first = compose.environment("node1", VALUES);

		assertThat(compose.environment("node2", VALUES)).isEqualTo(first);
		assertThat(first).containsEntry("SPRING_PROFILES_ACTIVE", "postgres")
			.containsEntry("HEMEFHIR_DB_PASSWORD", "secret")
			.containsEntry("HEMEFHIR_SECURITY_ISSUER", "https://fhir.example.org")
			.containsEntry("HEMEFHIR_SECURITY_MODE", "smart");
		assertThat(first.get("HEMEFHIR_DB_URL")).startsWith("jdbc:postgresql://db:5432/");
		assertThat(volumes(compose, "node1")).contains("node1-data:/data").doesNotContain("node2-data:/data");
		assertThat(volumes(compose, "node2")).contains("node2-data:/data");
		assertThat(volumes(compose, "node1"))
			.contains("./clients.json:" + first.get("HEMEFHIR_SECURITY_CLIENTS_FILE") + ":ro");
	}

	@Test
	@SuppressWarnings("unchecked")
	void theLoadBalancerReachesEveryNodeOnItsPort() throws Exception {
		ComposeFile compose = ComposeFile.read();
		String nginx = compose.config("nginx");
		String http = String.valueOf(serverPort());
		for (String node : List.of("node1", "node2")) {
			assertThat(nginx).contains("server " + node + ":" + http + " ");
		}
		assertThat(nginx).contains("$$http_host").doesNotContain(" $http_host");
		assertThat((List<String>) compose.service("lb").get("ports")).containsExactly("8080:" + http);
		// MLLP senders are known by address, which a TCP balancer hides
		assertThat(compose.environment("node1", VALUES)).doesNotContainKey("HEMEFHIR_HL7V2_MLLP_PORT");
	}

	@SuppressWarnings("unchecked")
	private static Object serverPort() throws IOException {
		try (Reader reader = Files.newBufferedReader(Path.of("src", "main", "resources", "application.yaml"))) {
			Map<String, Object> server = (Map<String, Object>) new Yaml().<Map<String, Object>>load(reader)
				.get("server");
			return server.get("port");
		}
	}

	@SuppressWarnings("unchecked")
	private static List<String> volumes(ComposeFile compose, String service) {
		return (List<String>) compose.service(service).get("volumes");
	}

}
