package org.hemefhir.fhirserver;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.zaxxer.hikari.HikariDataSource;
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hemefhir.AsyncRequests;
import org.hemefhir.BackendClient;
import org.hemefhir.HemeFhirApplication;
import org.hemefhir.RequiresPostgres;
import org.hemefhir.ServerProcess;
import org.hemefhir.cli.MigrateDataCommand;
import org.hemefhir.ingest.hl7v2.Hl7v2Messages;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The PostgreSQL path (profile {@code postgres}) against the real PostgreSQL on
 * 127.0.0.1:5432, each test in a schema of its own that is dropped afterwards: several
 * server nodes over one database.
 */
@RequiresPostgres
class PostgresIT {

	private static final String DATABASE = "jdbc:postgresql://127.0.0.1:5432/test";

	/** The public URL of the nodes' load balancer, as their token issuer. */
	private static final String ISSUER = "https://hemefhir.test";

	private static final String SCOPES = "system/*.cruds";

	/**
	 * Two nodes started together on an empty schema, with tokens required: one a child
	 * process (so it can be killed) started with the node settings of
	 * {@code compose.yaml}, one in this JVM. They migrate the schema and load the case
	 * once between them, accept the token one of them issued, see each other's writes,
	 * store one of a conditional create sent to both, give one of two {@code If-Match}
	 * updates a 412, de-identify alike, keep a result's correction over the result sent
	 * at the same moment, and a Bulk export kicked off on the first is finished and
	 * downloaded from the second after the first is killed.
	 */
	@Test
	void twoNodesShareOnePostgresDatabase() throws Exception {
		String schema = createSchema();
		String url = DATABASE + "?currentSchema=" + schema;
		Path dataDir = Files.createDirectories(Path.of("target", "it-data", "pg-node-" + UUID.randomUUID()));
		Path clientsFile = dataDir.resolve("clients.json").toAbsolutePath();
		BackendClient client = BackendClient.register(clientsFile, "research-platform", SCOPES);
		// the deployment's settings, with this machine's values
		Map<String, String> environment = new HashMap<>(ComposeFile.read()
			.environment("node1", Map.of("HEMEFHIR_DB_PASSWORD", "", "HEMEFHIR_PUBLIC_URL", ISSUER)));
		environment.put("HEMEFHIR_DB_URL", url);
		environment.put("HEMEFHIR_DB_USER", "postgres");
		environment.put("HEMEFHIR_SECURITY_CLIENTS_FILE", clientsFile.toString());
		ExecutorService starting = Executors.newSingleThreadExecutor();
		try {
			Future<ServerProcess> child = starting
				.submit(() -> ServerProcess.start(dataDir, ServerProcess.freePort(), environment));
			try (ConfigurableApplicationContext second = start(url, dataDir.resolve("second"),
					"--hemefhir.security.mode=smart", "--hemefhir.security.issuer=" + ISSUER,
					"--hemefhir.security.clients-file=" + clientsFile);
					ServerProcess first = child.get(5, TimeUnit.MINUTES)) {
				int firstPort = first.port();
				int secondPort = port(second);
				given().basePath("").port(secondPort).get("/fhir/Patient").then().statusCode(401);
				// issued by the first node, accepted by both: one signing key in the
				// database
				RestAssured.requestSpecification = new RequestSpecBuilder()
					.addHeader("Authorization", "Bearer " + client.token(firstPort, ISSUER, SCOPES))
					.build();
				for (int port : new int[] { firstPort, secondPort }) {
					given().basePath("")
						.port(port)
						.get("/fhir/Patient?identifier=http://hemefhir.org/fhir/sid/case-tjh-2025-0019|patient&_summary=count")
						.then()
						.statusCode(200)
						.body("total", equalTo(1));
				}
				given().basePath("")
					.port(secondPort)
					.get("/actuator/health")
					.then()
					.body("components.db.details.database", equalTo("PostgreSQL"));
				String mrn = "pg-" + UUID.randomUUID();
				String id = createPatient(firstPort, mrn);
				given().basePath("").port(secondPort).get("/fhir/Patient/" + id).then().statusCode(200);

				conditionalCreatesRacingOnBothNodesStoreOneResource(id, firstPort, secondPort);
				updatesWithTheSameIfMatchOnBothNodesHaveOneWinner(id, mrn, firstPort, secondPort);
				deidentifiedExportsOfBothNodesAreTheSame(firstPort, secondPort);
				resultAndItsCorrectionSentToBothNodesAtOnceKeepTheCorrection(firstPort, secondPort);
				exportKickedOffOnANodeThatDiesIsFinishedByTheOther(first, secondPort);
			}
		}
		finally {
			RestAssured.requestSpecification = null;
			starting.shutdownNow();
			execute("DROP SCHEMA " + schema + " CASCADE");
		}
	}

	/** A new patient with the MRN, stored through the node at the port; its id. */
	private static String createPatient(int port, String mrn) {
		return given().basePath("")
			.port(port)
			.contentType("application/fhir+json")
			.body(patient(null, mrn))
			.post("/fhir/Patient")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
	}

	private static String patient(String id, String mrn) {
		return """
				{"resourceType":"Patient",%s"identifier":[{"system":"urn:test:mrn","value":"%s"}],
				 "gender":"female","birthDate":"1964"}""".formatted(id == null ? "" : "\"id\":\"" + id + "\",", mrn);
	}

	private static String observation(String identifier, String patient) {
		return """
				{"resourceType":"Observation","status":"final","identifier":[{"system":"urn:test:lab","value":"%s"}],
				 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
				 "code":{"coding":[{"system":"http://loinc.org","code":"751-8"}]},"subject":{"reference":"Patient/%s"},
				 "effectiveDateTime":"2024-05-01T07:30:00Z",
				 "valueQuantity":{"value":1.1,"unit":"10*9/L","system":"http://unitsofmeasure.org","code":"10*9/L"}}"""
			.formatted(identifier, patient);
	}

	/** Both nodes update version 1 at once: one 200, one 412, version 2 stored. */
	private static void updatesWithTheSameIfMatchOnBothNodesHaveOneWinner(String id, String mrn, int... ports)
			throws Exception {
		List<Callable<Integer>> updates = new ArrayList<>();
		for (int port : ports) {
			updates.add(() -> given().basePath("")
				.port(port)
				.contentType("application/fhir+json")
				.header("If-Match", "W/\"1\"")
				.body(patient(id, mrn + "-" + port))
				.put("/fhir/Patient/" + id)
				.statusCode());
		}
		assertThat(atOnce(updates)).containsExactlyInAnyOrder(200, 412);
		given().basePath("").port(ports[0]).get("/fhir/Patient/" + id).then().body("meta.versionId", equalTo("2"));
	}

	private static void exportKickedOffOnANodeThatDiesIsFinishedByTheOther(ServerProcess first, int secondPort)
			throws Exception {
		Response kickOff = given().basePath("")
			.port(first.port())
			.accept("application/fhir+json")
			.header("Prefer", "respond-async")
			.get("/fhir/$export?_type=Patient,Observation");
		kickOff.then().statusCode(202);
		first.kill();
		String poll = kickOff.getHeader("Content-Location").replace(":" + first.port() + "/", ":" + secondPort + "/");
		Response status = finished(poll);
		assertThat(status.statusCode()).as("poll on the surviving node: " + status.asString()).isEqualTo(200);
		List<String> files = status.jsonPath().getList("output.url");
		assertThat(files).isNotEmpty().allMatch(file -> file.contains(":" + secondPort + "/"));
		assertThat(download(files.get(0))).contains("\"resourceType\"");
	}

	/**
	 * Neither node has a pseudonym key configured, and each its own data directory: the
	 * key both make or find in the database gives the same pseudonyms and date shifts.
	 */
	private static void deidentifiedExportsOfBothNodesAreTheSame(int... ports) throws Exception {
		List<Set<String>> exports = new ArrayList<>();
		for (int port : ports) {
			Response kickOff = given().basePath("")
				.port(port)
				.accept("application/fhir+json")
				.header("Prefer", "respond-async")
				.get("/fhir/$export?_type=Patient&_deidentify=true");
			kickOff.then().statusCode(202);
			Response status = finished(kickOff.getHeader("Content-Location"));
			assertThat(status.statusCode()).as(status.asString()).isEqualTo(200);
			Set<String> lines = new TreeSet<>();
			for (String file : status.jsonPath().<String>getList("output.url")) {
				lines.addAll(download(file).lines().toList());
			}
			exports.add(lines);
		}
		assertThat(exports.get(0)).isNotEmpty().anyMatch(line -> line.contains("urn:hemefhir:pseudonym"));
		assertThat(exports.get(1)).isEqualTo(exports.get(0));
	}

	/**
	 * A lab result and its correction arrive at once, one on each node (a sender's two
	 * connections, a queue resending): whichever transaction commits last, the stored
	 * result is the correction (issued later), and both messages are accepted.
	 */
	private static void resultAndItsCorrectionSentToBothNodesAtOnceKeepTheCorrection(int... ports) throws Exception {
		for (int round = 0; round < 6; round++) {
			String mrn = "v2-" + UUID.randomUUID();
			String patient = createPatient(ports[0], mrn);
			String prefix = "R" + round + UUID.randomUUID().toString().substring(0, 8);
			String original = Hl7v2Messages.forPatient("oru-r01-v251-anc-final.hl7", mrn, prefix);
			String correction = Hl7v2Messages.forPatient("oru-r01-v251-anc-corrected.hl7", mrn, prefix);
			int oneNode = ports[round % 2];
			int otherNode = ports[(round + 1) % 2];
			List<String> acks = atOnce(List.of(() -> hl7v2(oneNode, correction), () -> hl7v2(otherNode, original)));
			assertThat(acks).as(String.join("\n", acks).replace('\r', '\n'))
				.allMatch(ack -> "AA".equals(Hl7v2Messages.ackCode(ack)));
			given().basePath("")
				.port(ports[1])
				.get("/fhir/Observation?subject=Patient/" + patient)
				.then()
				.body("entry.size()", equalTo(1))
				.body("entry[0].resource.status", equalTo("corrected"));
		}
	}

	private static String hl7v2(int port, String message) {
		return given().basePath("")
			.port(port)
			.contentType("application/hl7-v2")
			.body(message.getBytes(StandardCharsets.UTF_8))
			.post("/hl7v2")
			.then()
			.statusCode(200)
			.extract()
			.asString();
	}

	/** Polls a Bulk export until it is no longer in progress (at most three minutes). */
	private static Response finished(String statusUrl) throws InterruptedException {
		return AsyncRequests.untilDone(() -> given().accept("application/fhir+json").get(statusUrl),
				Duration.ofMinutes(3));
	}

	private static String download(String file) {
		return given().accept("application/fhir+ndjson").get(file).then().statusCode(200).extract().asString();
	}

	/**
	 * Two nodes starting together on an empty database: HAPI's lock row lets one migrate
	 * while the other waits and then finds every task applied, so each runs once.
	 */
	@Test
	void twoNodesMigratingAnEmptyDatabaseAtOnceApplyEachTaskOnce() throws Exception {
		String schema = createSchema();
		String url = DATABASE + "?currentSchema=" + schema;
		List<HikariDataSource> pools = List.of(pool(url), pool(url));
		try {
			List<Callable<Integer>> migrations = new ArrayList<>();
			for (HikariDataSource node : pools) {
				migrations.add(() -> new SchemaMigration(node, url).migrate(false).succeededTasks.size());
			}
			assertThat(atOnce(migrations)).containsExactlyInAnyOrder(0, 9);
			try (Connection connection = pools.get(0).getConnection();
					Statement statement = connection.createStatement();
					var rows = statement.executeQuery("SELECT COUNT(*), COUNT(DISTINCT \"version\") FROM \""
							+ SchemaMigration.TABLE + "\" WHERE \"version\" IS NOT NULL AND \"installed_rank\" > 0")) {
				rows.next();
				assertThat(rows.getInt(1)).as("recorded tasks, each once").isEqualTo(rows.getInt(2)).isPositive();
			}
		}
		finally {
			pools.forEach(HikariDataSource::close);
			execute("DROP SCHEMA " + schema + " CASCADE");
		}
	}

	/**
	 * {@code migrate-data} moves a stopped server's embedded database into an empty
	 * PostgreSQL schema: a server started on it answers as the embedded one did (counts,
	 * histories, resources byte for byte with their ids, versions and times, a deleted
	 * resource still gone), hands out new ids after the copied ones, and the move is
	 * refused while the embedded server runs and into a database that holds resources.
	 */
	@Test
	void anEmbeddedDatabaseMovedToPostgresKeepsEveryIdAndVersion() throws Exception {
		Path dataDir = Files.createDirectories(Path.of("target", "it-data", "h2-to-pg-" + UUID.randomUUID()));
		String schema = createSchema();
		String url = DATABASE + "?currentSchema=" + schema;
		String[] move = { "--from", dataDir.toString(), "--to", url };
		try {
			Map<String, Object> before;
			String patient;
			try (ConfigurableApplicationContext embedded = new SpringApplicationBuilder(HemeFhirApplication.class)
				.run("--server.port=0", "--hemefhir.data-dir=" + dataDir)) {
				int port = port(embedded);
				patient = writeHistory(port);
				before = snapshot(port, patient);

				// from another process, as users run it: H2 holds its file for the
				// running
				// server (within one JVM it would share the open database)
				Process running = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
						"-jar", Path.of("target", "hemefhir.jar").toAbsolutePath().toString(), "migrate-data", move[0],
						move[1], move[2], move[3])
					.redirectErrorStream(true)
					.start();
				String said = new String(running.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
				assertThat(running.waitFor(2, TimeUnit.MINUTES)).isTrue();
				assertThat(running.exitValue()).as(said).isEqualTo(1);
				assertThat(said).contains("stop the server first");
			}
			Command moved = command(move);
			assertThat(moved.code()).as(moved.err()).isZero();
			assertThat(moved.out()).contains("Compared:", "Patient: ", "stored versions byte for byte: the same");

			try (ConfigurableApplicationContext onPostgres = start(url, dataDir.resolve("pg-node"))) {
				int port = port(onPostgres);
				assertThat(snapshot(port, patient)).isEqualTo(before);
				given().basePath("")
					.port(port)
					.contentType("application/fhir+json")
					.body(patient(null, "after-move"))
					.post("/fhir/Patient")
					.then()
					.statusCode(201);
			}
			Command again = command(move);
			assertThat(again.code()).isEqualTo(1);
			assertThat(again.err()).contains("already holds");
		}
		finally {
			execute("DROP SCHEMA " + schema + " CASCADE");
		}
	}

	/**
	 * A patient with three versions and an Observation created and deleted; the patient.
	 */
	private static String writeHistory(int port) {
		String mrn = "move-" + UUID.randomUUID();
		String id = createPatient(port, mrn);
		for (String version : List.of("-2", "-3")) {
			given().basePath("")
				.port(port)
				.contentType("application/fhir+json")
				.body(patient(id, mrn + version))
				.put("/fhir/Patient/" + id)
				.then()
				.statusCode(200);
		}
		String observation = given().basePath("")
			.port(port)
			.contentType("application/fhir+json")
			.body(observation("moved-" + UUID.randomUUID(), id))
			.post("/fhir/Observation")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		given().basePath("").port(port).delete("/fhir/Observation/" + observation).then().statusCode(200);
		return id;
	}

	/** What a reader sees of the data: counts, a history, resources as served. */
	private static Map<String, Object> snapshot(int port, String patient) {
		Map<String, Object> seen = new TreeMap<>();
		for (String type : List.of("Patient", "Observation", "MedicationAdministration", "Procedure", "Condition",
				"AdverseEvent", "Specimen")) {
			seen.put(type, given().basePath("").port(port).get("/fhir/" + type + "?_summary=count").path("total"));
		}
		seen.put("history",
				given().basePath("")
					.port(port)
					.get("/fhir/Patient/" + patient + "/_history")
					.then()
					.statusCode(200)
					.extract()
					.jsonPath()
					.getList("entry.resource"));
		// with the deleted one's two versions (the system history would hold the audit
		// events of these very reads)
		List<String> observations = given().basePath("")
			.port(port)
			.get("/fhir/Observation/_history?_count=60")
			.then()
			.statusCode(200)
			.extract()
			.jsonPath()
			.getList("entry.fullUrl", String.class);
		seen.put("history of Observations",
				observations.stream().map(url -> url.substring(url.indexOf("/fhir/"))).toList());
		seen.put("case", given().basePath("")
			.port(port)
			.get("/fhir/Observation?subject:Patient.identifier=http://hemefhir.org/fhir/sid/case-tjh-2025-0019|patient"
					+ "&_sort=date,_id&_count=40")
			.then()
			.statusCode(200)
			.extract()
			.jsonPath()
			.getList("entry.resource"));
		return seen;
	}

	private record Command(int code, String out, String err) {
	}

	private static Command command(String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		int code = MigrateDataCommand.run(args, null, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
		return new Command(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}

	/**
	 * Runs every task at the same moment, each on its own thread; their results in order.
	 */
	private static <T> List<T> atOnce(List<Callable<T>> tasks) throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(tasks.size());
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<T>> running = new ArrayList<>();
			for (Callable<T> task : tasks) {
				running.add(threads.submit(() -> {
					start.await();
					return task.call();
				}));
			}
			start.countDown();
			List<T> results = new ArrayList<>();
			for (Future<T> result : running) {
				results.add(result.get(3, TimeUnit.MINUTES));
			}
			return results;
		}
		finally {
			threads.shutdownNow();
		}
	}

	/** A new schema of the test database, for one test to drop afterwards. */
	private static String createSchema() throws SQLException {
		String schema = "hemefhir_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		execute("CREATE SCHEMA " + schema);
		return schema;
	}

	private static void execute(String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(DATABASE, "postgres", "");
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	private static HikariDataSource pool(String url) {
		HikariDataSource pool = new HikariDataSource();
		pool.setJdbcUrl(url);
		pool.setUsername("postgres");
		pool.setMaximumPoolSize(2);
		return pool;
	}

	/**
	 * A sender's retries landing on two nodes at once: one stored, every copy answered
	 * 2xx.
	 */
	private static void conditionalCreatesRacingOnBothNodesStoreOneResource(String patient, int... ports)
			throws Exception {
		String id = "race-" + UUID.randomUUID();
		String body = observation(id, patient);
		List<Callable<Integer>> creates = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			int port = ports[i % ports.length];
			creates.add(() -> given().basePath("")
				.port(port)
				.contentType("application/fhir+json")
				.header("If-None-Exist", "identifier=urn:test:lab|" + id)
				.body(body)
				.post("/fhir/Observation")
				.statusCode());
		}
		assertThat(atOnce(creates)).allMatch(status -> status == 200 || status == 201);
		given().basePath("")
			.port(ports[0])
			.get("/fhir/Observation?identifier=urn:test:lab|" + id + "&_summary=count")
			.then()
			.body("total", equalTo(1));
	}

	private static ConfigurableApplicationContext start(String url, Path dataDir, String... settings) {
		List<String> arguments = new ArrayList<>(List.of("--server.port=0", "--spring.datasource.url=" + url,
				"--hemefhir.data-dir=" + dataDir, "--hemefhir.batch-maintenance-interval=1s"));
		arguments.addAll(List.of(settings));
		return new SpringApplicationBuilder(HemeFhirApplication.class).profiles("postgres")
			.run(arguments.toArray(String[]::new));
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

}
