package org.hemefhir.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hemefhir.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write answered 2xx (or an HL7 v2 message answered AA) survives kill -9: the real jar
 * runs in a child process, takes a stream of FHIR writes and v2 messages, is killed
 * without warning, restarts on the same data directory, and every acknowledged result
 * must still be there.
 */
class DurabilityIT {

	@TempDir
	Path dataDir;

	@Test
	void everyAcknowledgedWriteSurvivesKillDashNine() throws Exception {
		int port = ServerProcess.freePort();
		List<String> acknowledged = new ArrayList<>();
		try (ServerProcess server = ServerProcess.start(dataDir, port, "--hemefhir.samples.load=false")) {
			String patient = given().basePath("")
				.port(port)
				.contentType("application/fhir+json")
				.body("""
						{"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"durable"}],
						 "gender":"female","birthDate":"1964"}""")
				.post("/fhir/Patient")
				.then()
				.statusCode(201)
				.extract()
				.path("id");
			acknowledged.add("Patient/" + patient);

			ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
			AtomicBoolean writing = new AtomicBoolean(true);
			ExecutorService writers = Executors.newFixedThreadPool(5);
			writers.submit(() -> {
				for (int n = 0; writing.get(); n++) {
					try {
						String ack = given().basePath("")
							.port(port)
							.contentType("application/hl7-v2")
							.body(oruR01("DUR-" + n).getBytes(java.nio.charset.StandardCharsets.UTF_8))
							.post("/hl7v2")
							.then()
							.statusCode(200)
							.extract()
							.asString();
						if (ack.contains("MSA|AA|")) {
							acked.add(
									"Observation?identifier=http://hemefhir.org/fhir/sid/hl7v2-result|DURABILITY-LAB/DUR-"
											+ n + "/777-3");
						}
					}
					catch (Throwable killedMidRequest) {
						return;
					}
				}
			});
			for (int w = 0; w < 4; w++) {
				int writer = w;
				writers.submit(() -> {
					for (int n = 0; writing.get(); n++) {
						try {
							String id = given().basePath("")
								.port(port)
								.contentType("application/fhir+json")
								.body(observation(patient, "w" + writer + "-" + n))
								.post("/fhir/Observation")
								.then()
								.statusCode(201)
								.extract()
								.path("id");
							acked.add("Observation/" + id);
						}
						catch (Throwable killedMidRequest) {
							return;
						}
					}
				});
			}
			// Kill while writes are in flight, well inside H2's default 500 ms flush
			// window.
			Thread.sleep(6_000);
			server.kill();
			writing.set(false);
			writers.shutdown();
			writers.awaitTermination(30, TimeUnit.SECONDS);
			acknowledged.addAll(acked);
			assertThat(acked).as("writes acknowledged before the kill").hasSizeGreaterThan(20);
		}

		try (ServerProcess restarted = ServerProcess.start(dataDir, port, "--hemefhir.samples.load=false")) {
			List<String> lost = new ArrayList<>();
			for (String id : acknowledged) {
				boolean present = id.contains("?")
						? given().basePath("")
							.port(port)
							.get("/fhir/" + id)
							.then()
							.extract()
							.jsonPath()
							.getInt("total") == 1
						: given().basePath("").port(port).get("/fhir/" + id).then().extract().statusCode() == 200;
				if (!present) {
					lost.add(id);
				}
			}
			assertThat(acknowledged).as("v2 messages acknowledged AA before the kill")
				.anyMatch(id -> id.contains("hl7v2-result"));
			System.out.printf("DurabilityIT: %d acknowledged writes checked after kill -9, %d lost%n",
					acknowledged.size(), lost.size());
			assertThat(lost).as("acknowledged writes lost after kill -9 (of %d)", acknowledged.size()).isEmpty();
		}
	}

	/**
	 * One platelet count for the patient with MRN "durable", as a laboratory sends it.
	 */
	private static String oruR01(String fillerOrder) {
		return String.join("\r",
				"MSH|^~\\&|LIS|DURABILITY-LAB|HEMEFHIR|TEST|20240507080000||ORU^R01^ORU_R01|" + fillerOrder
						+ "|P|2.5.1",
				"PID|1||durable^^^&urn:test:mrn&URI||||1964|F",
				"OBR|1||" + fillerOrder + "^DURABILITY-LAB|58410-2^CBC panel^LN|||20240507073000",
				"OBX|1|NM|777-3^Platelets^LN||110|10*9/L|||||F|||20240507073000") + "\r";
	}

	private static String observation(String patient, String key) {
		return """
				{"resourceType":"Observation","status":"final",
				 "identifier":[{"system":"urn:test:durability","value":"%s"}],
				 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
				 "code":{"coding":[{"system":"http://loinc.org","code":"777-3"}]},
				 "subject":{"reference":"Patient/%s"},"effectiveDateTime":"2024-05-07",
				 "valueQuantity":{"value":110,"unit":"10*9/L","system":"http://unitsofmeasure.org","code":"10*9/L"}}
				"""
			.formatted(key, patient);
	}

}
