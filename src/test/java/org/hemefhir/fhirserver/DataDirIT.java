package org.hemefhir.fhirserver;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import org.hemefhir.HemeFhirApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The embedded database lives in hemefhir.data-dir: it survives a restart and is never shared. */
class DataDirIT {

	@TempDir
	Path temp;

	@Test
	void dataSurvivesARestartAndStaysInItsOwnDirectory() throws Exception {
		Path first = Files.createDirectories(temp.resolve("first"));
		Path second = Files.createDirectories(temp.resolve("second"));
		String body = """
				{"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"restart-1"}],
				 "gender":"female","birthDate":"1964"}""";

		String id;
		try (ConfigurableApplicationContext server = start(first)) {
			id = given().port(port(server)).basePath("").contentType("application/fhir+json").body(body)
					.post("/fhir/Patient").then().statusCode(201).extract().path("id");
		}
		try (ConfigurableApplicationContext restarted = start(first)) {
			given().port(port(restarted)).basePath("").get("/fhir/Patient/" + id).then().statusCode(200)
					.body("identifier[0].value", equalTo("restart-1"));
		}
		try (ConfigurableApplicationContext other = start(second)) {
			given().port(port(other)).basePath("").get("/fhir/Patient?identifier=urn:test:mrn|restart-1&_summary=count").then()
					.statusCode(200).body("total", equalTo(0));
		}
		org.assertj.core.api.Assertions.assertThat(first.resolve("hemefhir.mv.db")).exists();
	}

	private static ConfigurableApplicationContext start(Path dataDir) {
		return new SpringApplicationBuilder(HemeFhirApplication.class)
				.run("--server.port=0", "--hemefhir.data-dir=" + dataDir, "--hemefhir.samples.load=false");
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}
}
