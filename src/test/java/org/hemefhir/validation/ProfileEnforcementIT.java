package org.hemefhir.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.hemefhir.FhirIntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The implementation guide enforced over REST, driven by the same tables as the offline
 * conformance test: every valid example of fhir-profiles/ is stored, every invalid one is
 * refused on write with the error the table names, and $validate says the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProfileEnforcementIT extends FhirIntegrationTest {

	private static final Path PROFILES = Path.of("fhir-profiles");

	/**
	 * Examples refer to specimens, which the IG does not profile; they are stored first.
	 */
	private static final List<String> SPECIMENS = List.of("example-bm-day32", "example-csf", "example-csf-day73",
			"example-bm-diagnosis");

	@BeforeAll
	void storeTheValidExamples() {
		pointRestAssuredAtServer();
		StringBuilder entries = new StringBuilder();
		for (String specimen : SPECIMENS) {
			entries.append("""
					{"resource":{"resourceType":"Specimen","id":"%s","subject":{"reference":"Patient/example-patient"}},
					 "request":{"method":"PUT","url":"Specimen/%s"}},""".formatted(specimen, specimen));
		}
		for (String[] row : table("valid.csv")) {
			String json = read(row[0]);
			JsonPath resource = JsonPath.from(json);
			String url = resource.getString("resourceType") + "/" + resource.getString("id");
			entries.append("{\"resource\":")
				.append(json)
				.append(",\"request\":{\"method\":\"PUT\",\"url\":\"")
				.append(url)
				.append("\"}},");
		}
		entries.setLength(entries.length() - 1);
		String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entries + "]}";
		Response response = fhir().body(transaction).post("/");
		assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
	}

	static Stream<Arguments> validExamples() {
		return table("valid.csv").stream().map(row -> Arguments.of(row[0], row[1]));
	}

	static Stream<Arguments> invalidExamples() {
		// a "bundle" row is a collection Bundle checked as a whole
		// (ProfileConformanceTest), not
		// one resource a client writes
		return table("invalid.csv").stream()
			.filter(row -> !row[1].equals("bundle"))
			.map(row -> Arguments.of(row[0], row[1], row[2]));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("validExamples")
	void validExampleIsStoredAndValidatesClean(String file, String profile) {
		JsonPath example = JsonPath.from(read(file));
		String type = example.getString("resourceType");
		fhir().get("/" + type + "/" + example.getString("id")).then().statusCode(200);

		JsonPath outcome = fhir().body(read(file))
			.post("/" + type + "/$validate")
			.then()
			.statusCode(200)
			.extract()
			.jsonPath();
		assertThat(outcome.getList("issue.severity", String.class)).doesNotContain("error", "fatal");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidExamples")
	void invalidExampleIsRefusedOnWriteAndByValidate(String file, String profile, String expected) {
		// Declared the way a sender targeting the profile would, so the table's profile
		// applies.
		String json = declareProfile(read(file), "http://hemefhir.org/fhir/StructureDefinition/" + profile);
		JsonPath example = JsonPath.from(json);
		String type = example.getString("resourceType");
		String id = example.getString("id");

		Response write = fhir().body(json).put("/" + type + "/" + id);
		assertThat(write.statusCode()).as(write.asString()).isIn(400, 422);
		if (write.statusCode() == 422) {
			assertThat(write.asString()).contains(expected.replace("\"", "\\\""));
			assertThat(write.jsonPath().getList("issue.expression.flatten()", String.class)).isNotEmpty();
		}
		else {
			// Refused by the strict parser before validation: a code outside a required
			// R4 enumeration.
			assertThat(write.asString()).contains("Invalid attribute value");
		}
		fhir().get("/" + type + "/" + id).then().statusCode(404);

		Response validate = fhir().body(json).post("/" + type + "/$validate");
		assertThat(validate.statusCode()).isIn(200, 400, 412, 422);
		assertThat(validate.jsonPath().getList("issue.severity", String.class)).containsAnyOf("error", "fatal");
		// $validate agrees with the write: same validator, or the same parser refusal.
		assertThat(validate.asString())
			.contains(write.statusCode() == 422 ? expected.replace("\"", "\\\"") : "Invalid attribute value");
	}

	@Test
	void undeclaredObservationIsValidatedAgainstTheInferredProfile() {
		String patient = createPatient(unique("inference"));
		String ancInMgPerDl = """
				{"resourceType":"Observation","status":"final",
				 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
				 "code":{"coding":[{"system":"http://loinc.org","code":"751-8"}]},
				 "subject":{"reference":"Patient/%s"},"effectiveDateTime":"2024-05-01",
				 "valueQuantity":{"value":1.2,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}}
				"""
			.formatted(patient);
		fhir().body(ancInMgPerDl)
			.post("/Observation")
			.then()
			.statusCode(422)
			.body("issue.diagnostics", hasItem(org.hamcrest.Matchers.containsString("hemefhir-blood-count")));

		String plainEhrAnc = ancInMgPerDl.replace("mg/dL", "10*9/L");
		fhir().body(plainEhrAnc).post("/Observation").then().statusCode(201);
	}

	@Test
	void unknownProfileIsAClearClientError() {
		Response response = fhir().body(read("profiles/patient/examples/example-patient.json"))
			.post("/Patient/$validate?profile=http://example.org/StructureDefinition/nope");
		assertThat(response.statusCode()).isBetween(400, 499);
		assertThat(response.asString()).contains("http://example.org/StructureDefinition/nope");
	}

	@Test
	void theGuideIsReadableOverRestAndAnnouncedInTheCapabilityStatement() {
		fhir().get("/StructureDefinition?url=http://hemefhir.org/fhir/StructureDefinition/hemefhir-mrd")
			.then()
			.body("total", equalTo(1))
			.body("entry[0].resource.snapshot.element.size()", org.hamcrest.Matchers.greaterThan(10));
		fhir().get("/ValueSet?url=http://hemefhir.org/fhir/ValueSet/disease-response&_summary=count")
			.then()
			.body("total", equalTo(1));
		fhir().get("/SearchParameter?code=ctcae-grade&_summary=count").then().body("total", equalTo(1));
		fhir().get("/metadata")
			.then()
			.body("rest[0].resource.find { it.type == 'Observation' }.supportedProfile",
					hasItem("http://hemefhir.org/fhir/StructureDefinition/hemefhir-mrd"))
			.body("rest[0].resource.find { it.type == 'AdverseEvent' }.searchParam.name", hasItem("ctcae-grade"));
	}

	private static String declareProfile(String json, String profileUrl) {
		return json.replaceFirst("\\{", "{\"meta\":{\"profile\":[\"" + profileUrl + "\"]},");
	}

	private static List<String[]> table(String name) {
		try {
			List<String> lines = Files.readAllLines(PROFILES.resolve("tests").resolve(name));
			List<String[]> rows = new ArrayList<>();
			for (String line : lines.subList(1, lines.size())) {
				if (!line.isBlank()) {
					rows.add(line.split(",", 3));
				}
			}
			return rows;
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
	}

	private static String read(String relative) {
		try {
			return Files.readString(PROFILES.resolve(relative));
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
	}

}
