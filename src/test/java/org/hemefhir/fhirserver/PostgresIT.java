package org.hemefhir.fhirserver;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.hemefhir.HemeFhirApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The PostgreSQL path (profile {@code postgres}) against the real PostgreSQL on 127.0.0.1:5432,
 * in a schema of its own that is dropped afterwards: two server nodes over one database see each
 * other's writes, and the case loads once.
 */
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
			String id = given().basePath("").port(firstPort).contentType("application/fhir+json")
					.body("""
							{"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"%s"}],
							 "gender":"female","birthDate":"1964"}""".formatted(mrn))
					.post("/fhir/Patient").then().statusCode(201).extract().path("id");
			given().basePath("").port(firstPort).get("/actuator/health").then().body("components.db.details.database", equalTo("PostgreSQL"));

			try (ConfigurableApplicationContext second = start(url, true)) {
				int secondPort = port(second);
				given().basePath("").port(secondPort).get("/fhir/Patient/" + id).then().statusCode(200);
				given().basePath("").port(secondPort).get("/fhir/Patient?identifier=http://hemefhir.org/fhir/sid/case-tjh-2025-0019|patient&_summary=count")
						.then().body("total", equalTo(1));
				int everything = given().basePath("").port(secondPort).get("/fhir/Patient?identifier=http://hemefhir.org/fhir/sid/case-tjh-2025-0019|patient")
						.then().extract().jsonPath().getList("entry").size();
				assertThat(everything).isEqualTo(1);
			}
		} finally {
			try (Connection connection = DriverManager.getConnection(DATABASE, "postgres", "");
					Statement statement = connection.createStatement()) {
				statement.execute("DROP SCHEMA " + schema + " CASCADE");
			}
		}
	}

	private static ConfigurableApplicationContext start(String url, boolean loadSamples) {
		return new SpringApplicationBuilder(HemeFhirApplication.class)
				.profiles("postgres")
				.run("--server.port=0", "--spring.datasource.url=" + url, "--hemefhir.samples.load=" + loadSamples);
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}
}
