package org.hemefhir.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hemefhir.AsyncRequests;
import org.hemefhir.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real jar in a child process, killed with SIGKILL in the middle of its work and
 * restarted on the same data directory; one crash, checked two ways. A write answered 2xx
 * (or an HL7 v2 message answered AA) before the kill is still there after the restart; a
 * bulk export kicked off right before the kill completes or ends with a clear error
 * status after the restart, it never stays "in progress" for ever. (One crash for both
 * because each start of the jar costs half a minute of both cores.)
 */
class CrashRestartIT {

	private static Path dataDir;

	private static int port;

	private static ServerProcess restarted;

	/** FHIR ids and v2 result searches of every write acknowledged before the kill. */
	private static final List<String> acknowledged = new ArrayList<>();

	/** Where the export kicked off right before the kill is polled. */
	private static String pollUrl;

	@BeforeAll
	static void writeExportAndKill() throws Exception {
		dataDir = Files.createDirectories(Path.of("target", "it-data", "crash-" + UUID.randomUUID()));
		port = ServerProcess.freePort();
		// the case is loaded (the first start's default), so the export has patients,
		// observations and adverse events of its own besides the stream below
		try (ServerProcess server = ServerProcess.start(dataDir, port)) {
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
							.body(oruR01("DUR-" + n).getBytes(StandardCharsets.UTF_8))
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
			// window, and right after an export's kick-off.
			Thread.sleep(6_000);
			Response kickOff = given().basePath("")
				.port(port)
				.accept("application/fhir+json")
				.header("Prefer", "respond-async")
				.get("/fhir/$export?_type=Patient,Observation,AdverseEvent");
			kickOff.then().statusCode(202);
			pollUrl = kickOff.getHeader("Content-Location");
			server.kill();
			writing.set(false);
			writers.shutdown();
			writers.awaitTermination(30, TimeUnit.SECONDS);
			acknowledged.addAll(acked);
			assertThat(acked).as("writes acknowledged before the kill").hasSizeGreaterThan(20);
		}
		restarted = ServerProcess.start(dataDir, port);
	}

	@AfterAll
	static void stop() throws InterruptedException {
		if (restarted != null) {
			restarted.close();
		}
	}

	@Test
	void everyAcknowledgedWriteSurvivesKillDashNine() {
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
		System.out.printf("CrashRestartIT: %d acknowledged writes checked after kill -9, %d lost%n",
				acknowledged.size(), lost.size());
		assertThat(lost).as("acknowledged writes lost after kill -9 (of %d)", acknowledged.size()).isEmpty();
	}

	@Test
	void theRestartFindsTheIgInstalledAndDoesNotInstallItAgain() throws Exception {
		assertThat(restarted.log()).contains("is already installed").doesNotContain("Installed hemefhir");
	}

	@Test
	void theRestartFindsTheSchemaMigratedAndAppliesNoTask() throws Exception {
		assertThat(restarted.log()).contains("Schema migration: 0 task(s) applied, 0 statement(s)");
	}

	@Test
	void anExportInterruptedByKillDashNineFinishesOrFailsClearlyAfterRestart() throws Exception {
		Response poll = AsyncRequests.untilDone(() -> given().accept("application/fhir+json").get(pollUrl),
				Duration.ofMinutes(3));
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
		System.out.printf("CrashRestartIT: export interrupted by kill -9 ended with %d after the restart%n",
				poll.statusCode());
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
