package org.hemefhir.export;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.hemefhir.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bulk export whose server dies under it (kill -9 right after the kick-off) either
 * completes after the restart or ends with a clear error status; it never stays "in
 * progress" for ever.
 */
class ExportRestartIT {

	@TempDir
	Path dataDir;

	@Test
	void anExportInterruptedByKillDashNineFinishesOrFailsClearlyAfterRestart() throws Exception {
		int port = ServerProcess.freePort();
		String pollUrl;
		try (ServerProcess server = ServerProcess.start(dataDir, port)) {
			Response kickOff = given().basePath("")
				.port(port)
				.accept("application/fhir+json")
				.header("Prefer", "respond-async")
				.get("/fhir/$export?_type=Patient,Observation,AdverseEvent");
			kickOff.then().statusCode(202);
			pollUrl = kickOff.getHeader("Content-Location");
			server.kill();
		}

		try (ServerProcess restarted = ServerProcess.start(dataDir, port)) {
			Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
			Response poll = null;
			while (Instant.now().isBefore(deadline)) {
				poll = given().accept("application/fhir+json").get(pollUrl);
				if (poll.statusCode() != 202) {
					break;
				}
				Thread.sleep(1000);
			}
			assertThat(poll).isNotNull();
			assertThat(poll.statusCode()).as("still in progress 3 minutes after the restart: " + poll.asString())
				.isNotEqualTo(202);
			if (poll.statusCode() == 200) {
				assertThat(poll.jsonPath().getList("output.type", String.class)).contains("Patient", "Observation");
				String file = poll.jsonPath().getString("output.find { it.type == 'Patient' }.url");
				assertThat(given().get(file).then().statusCode(200).extract().asString())
					.contains("\"resourceType\":\"Patient\"");
			}
			else {
				assertThat(poll.asString()).as("a failed export says why").contains("OperationOutcome");
			}
			System.out.printf("ExportRestartIT: export interrupted by kill -9 ended with %d after the restart%n",
					poll.statusCode());
		}
	}

}
