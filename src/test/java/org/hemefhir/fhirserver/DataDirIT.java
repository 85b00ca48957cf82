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

/**
 * The embedded database lives in hemefhir.data-dir: it survives a restart and is never
 * shared; the case is loaded on the first start only.
 */
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
		String composition;
		try (ConfigurableApplicationContext server = start(first, true)) {
			id = given().port(port(server))
				.basePath("")
				.contentType("application/fhir+json")
				.body(body)
				.post("/fhir/Patient")
				.then()
				.statusCode(201)
				.extract()
				.path("id");
			composition = given().port(port(server))
				.basePath("")
				.get("/fhir/Composition")
				.then()
				.body("total", equalTo(1))
				.extract()
				.path("entry[0].resource.id");
			// A user removes part of the loaded case; a restart must not bring it back.
			given().port(port(server)).basePath("").delete("/fhir/Composition/" + composition).then().statusCode(200);
		}
		try (ConfigurableApplicationContext restarted = start(first, true)) {
			given().port(port(restarted))
				.basePath("")
				.get("/fhir/Patient/" + id)
				.then()
				.statusCode(200)
				.body("identifier[0].value", equalTo("restart-1"));
			given().port(port(restarted)).basePath("").get("/fhir/Composition/" + composition).then().statusCode(410);
			given().port(port(restarted))
				.basePath("")
				.get("/fhir/Composition?_summary=count")
				.then()
				.body("total", equalTo(0));
			given().port(port(restarted))
				.basePath("")
				.get("/fhir/Patient?identifier=http://hemefhir.org/fhir/sid/case-tjh-2025-0019|patient&_summary=count")
				.then()
				.body("total", equalTo(1));
		}
		try (ConfigurableApplicationContext other = start(second, false)) {
			given().port(port(other))
				.basePath("")
				.get("/fhir/Patient?identifier=urn:test:mrn|restart-1&_summary=count")
				.then()
				.statusCode(200)
				.body("total", equalTo(0));
		}
		org.assertj.core.api.Assertions.assertThat(first.resolve("hemefhir.mv.db")).exists();
	}

	private static ConfigurableApplicationContext start(Path dataDir, boolean loadSamples) {
		return new SpringApplicationBuilder(HemeFhirApplication.class).run("--server.port=0",
				"--hemefhir.data-dir=" + dataDir, "--hemefhir.samples.load=" + loadSamples);
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

}
