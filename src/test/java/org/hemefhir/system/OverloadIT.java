package org.hemefhir.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hemefhir.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged server with small limits (two requests at once, a 200 ms queue, a 6 s
 * budget), so that overload, the time budget and a departing client can be caused on
 * purpose: the answer is 503 with Retry-After and an OperationOutcome, never a 500,
 * nothing half-written, and the server serves normally again once the load is gone.
 */
class OverloadIT {

	private static final Duration BUDGET = Duration.ofSeconds(6);

	private static final int ENTRIES = 1500; // ~14 s of validation and storage on our
												// machine: well over the budget

	private static Path dataDir;

	private static ServerProcess server;

	private static int mllpPort;

	private static String patient;

	@BeforeAll
	static void start() throws IOException {
		dataDir = Files.createDirectories(Path.of("target", "it-data", "overload-" + UUID.randomUUID()));
		mllpPort = ServerProcess.freePort();
		server = ServerProcess.start(dataDir, ServerProcess.freePort(), "--hemefhir.samples.load=false",
				"--hemefhir.limits.request-timeout=" + BUDGET.toSeconds() + "s",
				"--hemefhir.limits.max-concurrent-requests=2", "--hemefhir.limits.queue-timeout=200ms",
				"--hemefhir.limits.retry-after=7s", "--hemefhir.hl7v2.mllp.port=" + mllpPort);
		patient = fhir()
			.body("""
					{"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"overload"}],"gender":"female","birthDate":"1964"}""")
			.post("/Patient")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
	}

	@AfterAll
	static void stop() throws InterruptedException {
		if (server != null) {
			server.close();
		}
	}

	/** Each test starts on an idle server: no request of an earlier test holds a slot. */
	@BeforeEach
	void idle() throws InterruptedException {
		assertThat(inFlightAfter(BUDGET.plusSeconds(10))).as("requests of an earlier test still running").isZero();
	}

	/** Requests in flight once none are, or the deadline has passed. */
	private static int inFlightAfter(Duration within) throws InterruptedException {
		long deadline = System.nanoTime() + within.toNanos();
		int inFlight = -1;
		while (System.nanoTime() < deadline && inFlight != 0) {
			Thread.sleep(100);
			inFlight = given().port(server.port())
				.basePath("")
				.get("/actuator/health")
				.jsonPath()
				.getInt("components.requests.details.inFlight");
		}
		return inFlight;
	}

	private static Response awaitHealth(String status, Duration within) throws InterruptedException {
		long deadline = System.nanoTime() + within.toNanos();
		Response health = given().port(server.port()).basePath("").get("/actuator/health");
		while (System.nanoTime() < deadline
				&& !status.equals(health.jsonPath().getString("components.requests.status"))) {
			Thread.sleep(100);
			health = given().port(server.port()).basePath("").get("/actuator/health");
		}
		return health;
	}

	@Test
	void aRequestPastItsBudgetIsStoppedWithNothingWritten() {
		String run = "budget-" + UUID.randomUUID();
		long start = System.nanoTime();
		Response response = fhir().body(bundle(run)).post("/");
		Duration took = Duration.ofNanos(System.nanoTime() - start);

		assertThat(response.statusCode()).as(response.asString()).isEqualTo(503);
		assertThat(response.header("Retry-After")).isEqualTo("7");
		assertThat(response.jsonPath().getString("issue[0].code")).isEqualTo("timeout");
		assertThat(response.jsonPath().getString("issue[0].diagnostics")).contains("hemefhir.limits.request-timeout")
			.contains("nothing was written");
		assertThat(took).isBetween(BUDGET.minusSeconds(1), BUDGET.plusSeconds(3));
		assertThat(stored(run)).isZero();
		assertReadsQuickly();
	}

	@Test
	void overloadIsAnswered503WithRetryAfterAndTheServerRecovers() throws Exception {
		String run = "overload-" + UUID.randomUUID();
		ExecutorService clients = Executors.newFixedThreadPool(6);
		List<Future<Response>> answers = new ArrayList<>();
		try {
			for (int i = 0; i < 6; i++) {
				String body = bundle(run + "-" + i);
				answers.add(clients.submit(() -> fhir().body(body).post("/")));
				Thread.sleep(50);
			}
			// health answers while the server is full, and says so (polled: on a busy
			// machine the six uploads take a while to reach the server)
			Response health = awaitHealth("OVERLOADED", Duration.ofSeconds(4));
			assertThat(health.statusCode()).isEqualTo(200);
			assertThat(health.jsonPath().getString("components.requests.status")).isEqualTo("OVERLOADED");
			// so does MLLP: an AR, to send again later
			assertThat(mllp(v2Message())).contains("MSA|AR|").contains("busy");

			int throttled = 0;
			for (Future<Response> answer : answers) {
				Response r = answer.get();
				assertThat(r.statusCode()).as(r.asString()).isEqualTo(503);
				assertThat(r.header("Retry-After")).isEqualTo("7");
				String code = r.jsonPath().getString("issue[0].code");
				assertThat(code).isIn("throttled", "timeout");
				throttled += code.equals("throttled") ? 1 : 0;
			}
			assertThat(throttled).as("requests beyond the two slots are turned away").isGreaterThanOrEqualTo(3);
		}
		finally {
			clients.shutdownNow();
		}
		for (int i = 0; i < 6; i++) {
			assertThat(stored(run + "-" + i)).isZero();
		}
		// recovers by itself: health back to UP once ten seconds pass without a refusal
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		String status = null;
		while (System.nanoTime() < deadline && !"UP".equals(status)) {
			Thread.sleep(500);
			status = given().port(server.port())
				.basePath("")
				.get("/actuator/health")
				.jsonPath()
				.getString("components.requests.status");
		}
		assertThat(status).isEqualTo("UP");
		assertReadsQuickly();
		assertThat(mllp(v2Message())).contains("MSA|AA|");
	}

	@Test
	void aClientThatLeavesHasItsWorkStopped() throws Exception {
		String run = "gone-" + UUID.randomUUID();
		byte[] body = bundle(run).getBytes(StandardCharsets.UTF_8);
		long start = System.nanoTime();
		try (Socket socket = new Socket("127.0.0.1", server.port())) {
			OutputStream out = socket.getOutputStream();
			out.write(
					("POST /fhir HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/fhir+json\r\nContent-Length: "
							+ body.length + "\r\n\r\n")
						.getBytes(StandardCharsets.ISO_8859_1));
			out.write(body);
			out.flush();
			Thread.sleep(1000);
		}
		// the work stops within about a second of the client leaving, long before the 6 s
		// budget would stop it
		int inFlight = inFlightAfter(Duration.ofSeconds(4).minusNanos(System.nanoTime() - start));
		Duration stoppedAfter = Duration.ofNanos(System.nanoTime() - start);
		assertThat(inFlight).as("requests still running after %s", stoppedAfter).isZero();
		assertThat(stoppedAfter).isLessThan(BUDGET.minusSeconds(1));
		assertThat(stored(run)).isZero();
		assertReadsQuickly();
	}

	private static io.restassured.specification.RequestSpecification fhir() {
		return given().port(server.port())
			.basePath("/fhir")
			.contentType("application/fhir+json")
			.accept("application/fhir+json");
	}

	private static int stored(String run) {
		JsonPath found = fhir().get("/Observation?identifier=urn:test:overload|" + run + "-0&_summary=count")
			.then()
			.statusCode(200)
			.extract()
			.jsonPath();
		return found.getInt("total");
	}

	private static void assertReadsQuickly() {
		long start = System.nanoTime();
		fhir().get("/Patient/" + patient).then().statusCode(200);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
	}

	private static String bundle(String run) {
		StringBuilder entries = new StringBuilder();
		for (int i = 0; i < ENTRIES; i++) {
			entries.append(i == 0 ? "" : ",")
				.append("""
						{"resource":{"resourceType":"Observation","status":"final",
						  "identifier":[{"system":"urn:test:overload","value":"%1$s-%2$d"}],
						  "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
						  "code":{"coding":[{"system":"http://loinc.org","code":"751-8"}]},
						  "subject":{"reference":"Patient/%3$s"},"effectiveDateTime":"2024-05-01T08:00:00Z",
						  "valueQuantity":{"value":1.5,"unit":"10*9/L","system":"http://unitsofmeasure.org","code":"10*9/L"}},
						 "request":{"method":"POST","url":"Observation","ifNoneExist":"identifier=urn:test:overload|%1$s-%2$d"}}
						"""
					.formatted(run, i, patient));
		}
		return "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entries + "]}";
	}

	private static String v2Message() {
		return "MSH|^~\\&|LIS|LAB|HEMEFHIR|HOSP|20250111083000||ORU^R01^ORU_R01|OVL-"
				+ UUID.randomUUID().toString().substring(0, 8)
				+ "|P|2.5.1\rPID|1||overload^^^&urn:test:mrn&URI^MR||||1964|F\r" + "OBR|1||OVL-" + System.nanoTime()
				+ "^LAB|58410-2^CBC panel^LN|||20250111071500\r"
				+ "OBX|1|NM|751-8^Neutrophils^LN||0.4|x10E9/L|1.8-6.3|LL|||F|||20250111071500";
	}

	private static String mllp(String message) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", mllpPort)) {
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			byte[] text = message.getBytes(StandardCharsets.UTF_8);
			out.write(0x0B);
			out.write(text);
			out.write(new byte[] { 0x1C, 0x0D });
			out.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream ack = new ByteArrayOutputStream();
			int b = in.read();
			while ((b = in.read()) != -1 && b != 0x1C) {
				ack.write(b);
			}
			return ack.toString(StandardCharsets.UTF_8).replace('\r', '\n');
		}
	}

}
