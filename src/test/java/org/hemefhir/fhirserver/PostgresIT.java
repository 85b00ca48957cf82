package org.hemefhir.fhirserver;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import ca.uhn.fhir.jpa.migrate.MigrationResult;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hemefhir.HemeFhirApplication;
import org.hemefhir.RequiresPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The PostgreSQL path (profile {@code postgres}) against the real PostgreSQL on
 * 127.0.0.1:5432, in a schema of its own that is dropped afterwards: two server nodes
 * over one database see each other's writes, the case loads once, and one conditional
 * create sent to both nodes at once is stored once.
 */
@RequiresPostgres
class PostgresIT {

	private static final String DATABASE = "jdbc:postgresql://127.0.0.1:5432/test";

	@Test
	void twoNodesShareOnePostgresDatabase() throws Exception {
		String schema = "hemefhir_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		try (Connection connection = DriverManager.getConnection(DATABASE, "postgres", "");
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE SCHEMA " + schema);
		}
		String url = DATABASE + "?currentSchema=" + schema;
		try (ConfigurableApplicationContext first = start(url, true)) {
			int firstPort = port(first);
			String mrn = "pg-" + UUID.randomUUID();
			String id = given().basePath("")
				.port(firstPort)
				.contentType("application/fhir+json")
				.body("""
						{"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"%s"}],
						 "gender":"female","birthDate":"1964"}""".formatted(mrn))
				.post("/fhir/Patient")
				.then()
				.statusCode(201)
				.extract()
				.path("id");
			given().basePath("")
				.port(firstPort)
				.get("/actuator/health")
				.then()
				.body("components.db.details.database", equalTo("PostgreSQL"));

			try (ConfigurableApplicationContext second = start(url, true)) {
				int secondPort = port(second);
				given().basePath("").port(secondPort).get("/fhir/Patient/" + id).then().statusCode(200);
				given().basePath("")
					.port(secondPort)
					.get("/fhir/Patient?identifier=http://hemefhir.org/fhir/sid/case-tjh-2025-0019|patient&_summary=count")
					.then()
					.body("total", equalTo(1));
				int everything = given().basePath("")
					.port(secondPort)
					.get("/fhir/Patient?identifier=http://hemefhir.org/fhir/sid/case-tjh-2025-0019|patient")
					.then()
					.extract()
					.jsonPath()
					.getList("entry")
					.size();
				assertThat(everything).isEqualTo(1);

				conditionalCreatesRacingOnBothNodesStoreOneResource(id, firstPort, secondPort);
			}
		}
		finally {
			try (Connection connection = DriverManager.getConnection(DATABASE, "postgres", "");
					Statement statement = connection.createStatement()) {
				statement.execute("DROP SCHEMA " + schema + " CASCADE");
			}
		}
	}

	/**
	 * Two nodes starting together on an empty database: HAPI's lock row lets one migrate
	 * while the other waits and then finds every task applied, so each runs once.
	 */
	@Test
	void twoNodesMigratingAnEmptyDatabaseAtOnceApplyEachTaskOnce() throws Exception {
		String schema = "hemefhir_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		String url = DATABASE + "?currentSchema=" + schema;
		try (Connection connection = DriverManager.getConnection(DATABASE, "postgres", "");
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE SCHEMA " + schema);
		}
		ExecutorService nodes = Executors.newFixedThreadPool(2);
		List<HikariDataSource> pools = List.of(pool(url), pool(url));
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<MigrationResult>> results = new ArrayList<>();
			for (HikariDataSource node : pools) {
				results.add(nodes.submit(() -> {
					start.await();
					return new SchemaMigration(node, url).migrate(false);
				}));
			}
			start.countDown();
			List<Integer> applied = new ArrayList<>();
			for (Future<MigrationResult> result : results) {
				applied.add(result.get(3, TimeUnit.MINUTES).succeededTasks.size());
			}
			assertThat(applied).containsExactlyInAnyOrder(0, 9);
			try (Connection connection = pools.get(0).getConnection();
					Statement statement = connection.createStatement();
					var rows = statement.executeQuery("SELECT COUNT(*), COUNT(DISTINCT \"version\") FROM \""
							+ SchemaMigration.TABLE + "\" WHERE \"version\" IS NOT NULL AND \"installed_rank\" > 0")) {
				rows.next();
				assertThat(rows.getInt(1)).as("recorded tasks, each once").isEqualTo(rows.getInt(2)).isPositive();
			}
		}
		finally {
			nodes.shutdownNow();
			pools.forEach(HikariDataSource::close);
			try (Connection connection = DriverManager.getConnection(DATABASE, "postgres", "");
					Statement statement = connection.createStatement()) {
				statement.execute("DROP SCHEMA " + schema + " CASCADE");
			}
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
		ExecutorService pool = Executors.newFixedThreadPool(8);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<Integer>> answers = new ArrayList<>();
			for (int i = 0; i < 8; i++) {
				int port = ports[i % ports.length];
				answers.add(pool.submit(() -> {
					start.await();
					return given().basePath("")
						.port(port)
						.contentType("application/fhir+json")
						.header("If-None-Exist", "identifier=urn:test:lab|" + id)
						.body(body)
						.post("/fhir/Observation")
						.statusCode();
				}));
			}
			start.countDown();
			for (Future<Integer> answer : answers) {
				assertThat(answer.get(60, TimeUnit.SECONDS)).isIn(200, 201);
			}
		}
		finally {
			pool.shutdownNow();
		}
		given().basePath("")
			.port(ports[0])
			.get("/fhir/Observation?identifier=urn:test:lab|" + id + "&_summary=count")
			.then()
			.body("total", equalTo(1));
	}

	private static ConfigurableApplicationContext start(String url, boolean loadSamples) {
		return new SpringApplicationBuilder(HemeFhirApplication.class).profiles("postgres")
			.run("--server.port=0", "--spring.datasource.url=" + url, "--hemefhir.samples.load=" + loadSamples);
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

}
