package org.hemefhir.ig;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import ca.uhn.fhir.context.FhirContext;
import io.restassured.response.Response;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hemefhir.FhirIntegrationTest;
import org.hemefhir.validation.IgPackage;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.junit.jupiter.api.Test;

/** The profile pages served at /ig/ from the classpath. */
class IgSiteIT extends FhirIntegrationTest {

	@Test
	void indexListsEveryProfileAndEveryLinkOnItResolves() {
		Response index = given().basePath("/").get("/ig/");

		index.then().statusCode(200).contentType(containsString("text/html"));
		IgPackage ig = IgPackage.fromClasspath(FhirContext.forR4Cached());
		for (IBaseResource r : ig.conformance()) {
			if (r instanceof StructureDefinition sd) {
				assertThat(index.asString())
					.contains("href=\"StructureDefinition-" + sd.getIdElement().getIdPart() + ".html\"");
			}
		}
		Matcher links = Pattern.compile("href=\"([^\"#]+)\"").matcher(index.asString());
		int checked = 0;
		while (links.find()) {
			given().basePath("/").get("/ig/" + links.group(1)).then().statusCode(200);
			checked++;
		}
		assertThat(checked).isGreaterThan(60);
	}

	@Test
	void profilePageAndItsExampleAreServed() {
		String page = given().basePath("/")
			.get("/ig/StructureDefinition-hemefhir-blood-count.html")
			.then()
			.statusCode(200)
			.contentType(containsString("text/html"))
			.extract()
			.asString();
		Matcher example = Pattern.compile("href=\"(examples/[^\"]+\\.json)\"").matcher(page);

		assertThat(page).contains("<code>Observation.effective[x]</code>").contains("hf-bc-1");
		assertThat(example.find()).isTrue();
		String json = given().basePath("/").get("/ig/" + example.group(1)).then().statusCode(200).extract().asString();
		assertThat(FhirContext.forR4Cached().newJsonParser().parseResource(json).fhirType()).isEqualTo("Observation");
	}

	@Test
	void igWithoutSlashRedirectsAndUnknownPageIs404() {
		given().basePath("/")
			.redirects()
			.follow(false)
			.get("/ig")
			.then()
			.statusCode(302)
			.header("Location", containsString("/ig/"));
		given().basePath("/").get("/ig/StructureDefinition-nope.html").then().statusCode(404);
	}

}
