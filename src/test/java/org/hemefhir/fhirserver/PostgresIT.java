package org.hemefhir.fhirserver;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.zaxxer.hikari.HikariDataSource;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hemefhir.HemeFhirApplication;
import org.hemefhir.RequiresPostgres;
import org.hemefhir.ServerProcess;
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

	/**
	 * Two nodes started together on an empty schema: one a child process (so it can be
	 * killed), one in this JVM. They migrate the schema and load the case once between
	 * them, see each other's writes, store one of a conditional create sent to both, give
	 * one of two {@code If-Match} updates a 412, and a Bulk export kicked off on the
	 * first is finished and downloaded from the second after the first is killed.
	 */
	@Test
	void twoNodesShareOnePostgresDatabase() throws Exception {
		String schema = createSchema();
		String url = DATABASE + "?currentSchema=" + schema;
		Path dataDir = Files.createDirectories(Path.of("target", "it-data", "pg-node-" + UUID.randomUUID()));
		ExecutorService starting = Executors.newSingleThreadExecutor();
		try {
			Future<ServerProcess> child = starting.submit(() -> ServerProcess.start(dataDir, ServerProcess.freePort(),
					"--spring.profiles.active=postgres", "--spring.datasource.url=" + url));
			try (ConfigurableApplicationContext second = start(url, dataDir.resolve("second"));
					ServerProcess first = child.get(5, TimeUnit.MINUTES)) {
				int firstPort = first.port();
				int secondPort = port(second);
				for (int port : new int[] { firstPort, secondPort }) {
					given().basePath("")
						.port(port)
						.get("/fhir/Patient?identifier=http://hemefhir.org/fhir/sid/case-tjh-2025-0019|patient&_summary=count")
						.then()
						.body("total", equalTo(1));
				}
				given().basePath("")
					.port(secondPort)
					.get("/actuator/health")
					.then()
					.body("components.db.details.database", equalTo("PostgreSQL"));
				String mrn = "pg-" + UUID.randomUUID();
				String id = given().basePath("")
					.port(firstPort)
					.contentType("application/fhir+json")
					.body(patient(null, mrn))
					.post("/fhir/Patient")
					.then()
					.statusCode(201)
					.extract()
					.path("id");
				given().basePath("").port(secondPort).get("/fhir/Patient/" + id).then().statusCode(200);

				conditionalCreatesRacingOnBothNodesStoreOneResource(id, firstPort, secondPort);
				updatesWithTheSameIfMatchOnBothNodesHaveOneWinner(id, mrn, firstPort, secondPort);
				exportKickedOffOnANodeThatDiesIsFinishedByTheOther(first, secondPort);
			}
		}
		finally {
			starting.shutdownNow();
			execute("DROP SCHEMA " + schema + " CASCADE");
		}
	}

	private static String patient(String id, String mrn) {
		return """
				{"resourceType":"Patient",%s"identifier":[{"system":"urn:test:mrn","value":"%s"}],
				 "gender":"female","birthDate":"1964"}""".formatted(id == null ? "" : "\"id\":\"" + id + "\",", mrn);
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
		Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
		Response status = null;
		while (Instant.now().isBefore(deadline)) {
			status = given().accept("application/fhir+json").get(poll);
			if (status.statusCode() != 202) {
				break;
			}
			Thread.sleep(500);
		}
		assertThat(status).isNotNull();
		assertThat(status.statusCode()).as("poll on the surviving node: " + status.asString()).isEqualTo(200);
		List<String> files = status.jsonPath().getList("output.url");
		assertThat(files).isNotEmpty().allMatch(file -> file.contains(":" + secondPort + "/"));
		String ndjson = given().accept("application/fhir+ndjson")
			.get(files.get(0))
			.then()
			.statusCode(200)
			.extract()
			.asString();
		assertThat(ndjson).contains("\"resourceType\"");
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
		String body = """
				{"resourceType":"Observation","status":"final","identifier":[{"system":"urn:test:lab","value":"%s"}],
				 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
				 "code":{"coding":[{"system":"http://loinc.org","code":"751-8"}]},"subject":{"reference":"Patient/%s"},
				 "effectiveDateTime":"2024-05-01T07:30:00Z",
				 "valueQuantity":{"value":1.1,"unit":"10*9/L","system":"http://unitsofmeasure.org","code":"10*9/L"}}"""
			.formatted(id, patient);
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

	private static ConfigurableApplicationContext start(String url, Path dataDir) {
		return new SpringApplicationBuilder(HemeFhirApplication.class).profiles("postgres")
			.run("--server.port=0", "--spring.datasource.url=" + url, "--hemefhir.data-dir=" + dataDir);
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

}
