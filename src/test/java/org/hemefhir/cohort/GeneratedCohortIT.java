package org.hemefhir.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.response.Response;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.hemefhir.FhirIntegrationTest;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated patients on the running server (validation enforced): their bundles are
 * accepted, a second load changes nothing, the synthetic tag finds them, and
 * {@code $outcomes} computes the recovery days and MRD conversions cohort.json states.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GeneratedCohortIT extends FhirIntegrationTest {

	/**
	 * Seed 42's first three patients: a transplant, a patient who never recovers, another
	 * transplant.
	 */
	private static final long SEED = 42;

	private static final int PATIENTS = 3;

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	@TempDir
	static Path dir;

	private static JsonNode cohort;

	@BeforeAll
	static void generate() throws Exception {
		GeneratedBundles.write(SEED, PATIENTS, dir);
		cohort = new ObjectMapper().readTree(dir.resolve("cohort.json").toFile());
	}

	@Test
	@Order(1)
	void everyBundleIsAcceptedAndASecondLoadChangesNothing() throws Exception {
		for (int i = 1; i <= PATIENTS; i++) {
			Bundle bundle = bundle(i);
			List<Bundle.BundleEntryComponent> answers = load(bundle);
			assertThat(answers).hasSameSizeAs(bundle.getEntry())
				.allSatisfy(e -> assertThat(e.getResponse().getStatus()).startsWith("201"));
		}
		// loaded again: every PUT answers 200 and nothing gets a new version
		Bundle first = bundle(1);
		assertThat(load(first)).hasSameSizeAs(first.getEntry())
			.allSatisfy(e -> assertThat(e.getResponse().getStatus()).startsWith("200").doesNotStartWith("201"))
			.allSatisfy(e -> assertThat(e.getResponse().getEtag()).matches("(W/\")?1\"?"));
	}

	private static Bundle bundle(int index) throws Exception {
		return GeneratedBundles.read(dir.resolve(CohortWriter.bundleFileName(index)));
	}

	private List<Bundle.BundleEntryComponent> load(Bundle bundle) {
		List<Bundle.BundleEntryComponent> answers = new java.util.ArrayList<>();
		for (Bundle slice : GeneratedBundles.slices(bundle)) {
			answers.addAll(post(FHIR.newJsonParser().encodeResourceToString(slice)).getEntry());
		}
		return answers;
	}

	@Test
	@Order(2)
	void theSyntheticTagFindsTheGeneratedPatients() {
		Response found = search("/Patient", "_tag=http://hemefhir.org/fhir/CodeSystem/data-origin|synthetic",
				"_elements=id", "_count=100");
		List<String> ids = found.then().statusCode(200).extract().path("entry.resource.id");
		for (JsonNode p : cohort.get("cohort")) {
			assertThat(ids).contains(p.get("patient").asText().substring("Patient/".length()));
		}
		List<String> caseIds = search("/Patient", "identifier=" + CASE + "|patient", "_elements=id").then()
			.extract()
			.path("entry.resource.id");
		assertThat(ids).doesNotContainAnyElementsOf(caseIds);
	}

	@Test
	@Order(3)
	void outcomesAreTheOnesTheGeneratorIntended() {
		for (JsonNode p : cohort.get("cohort")) {
			String patient = p.get("patient").asText();
			Parameters defaults = outcomes(patient, "");
			Parameters strict = outcomes(patient, "?anc-threshold=1.0&platelet-threshold=100");
			assertThat(reached(defaults.getParameter("reference-regimen"), "start"))
				.isEqualTo(p.get("consolidation").get("day1").asText());
			assertDay(patient, "neutrophil-recovery", defaults, p.get("neutrophilRecovery"));
			assertDay(patient, "platelet-recovery", defaults, p.get("plateletRecovery20"));
			assertDay(patient, "neutrophil-recovery", strict, p.get("neutrophilRecovery1.0"));
			assertDay(patient, "platelet-recovery", strict, p.get("plateletRecovery100"));
			p.get("mrdConversion").fields().forEachRemaining(e -> {
				ParametersParameterComponent mrd = defaults.getParameter()
					.stream()
					.filter(x -> x.getName().equals("mrd-conversion"))
					.filter(x -> part(x, "specimen").map(s -> ((Coding) s.getValue()).getCode().equals(e.getKey()))
						.orElse(false))
					.findFirst()
					.orElseThrow(() -> new AssertionError(patient + ": no mrd-conversion for " + e.getKey()));
				assertOutcome(patient + " MRD " + e.getKey(), mrd, e.getValue());
			});
		}
	}

	private static void assertDay(String patient, String name, Parameters outcomes, JsonNode intended) {
		assertOutcome(patient + " " + name, outcomes.getParameter(name), intended);
	}

	private static void assertOutcome(String what, ParametersParameterComponent outcome, JsonNode intended) {
		assertThat(outcome).as(what).isNotNull();
		if (intended.isNull()) {
			assertThat(reached(outcome, "status")).as(what).isEqualTo("not-reached");
			return;
		}
		assertThat(reached(outcome, "status")).as(what).isEqualTo("reached");
		assertThat(reached(outcome, "date")).as(what).isEqualTo(intended.get("date").asText());
		assertThat(reached(outcome, "regimen-day")).as(what).isEqualTo(intended.get("day").asText());
	}

	private static String reached(ParametersParameterComponent p, String name) {
		return part(p, name).map(x -> x.getValue().primitiveValue()).orElse(null);
	}

	private static Optional<ParametersParameterComponent> part(ParametersParameterComponent p, String name) {
		return p.getPart().stream().filter(x -> x.getName().equals(name)).findFirst();
	}

	private Parameters outcomes(String patient, String query) {
		String body = fhir().get("/" + patient + "/$outcomes" + query).then().statusCode(200).extract().asString();
		return FHIR.newJsonParser().parseResource(Parameters.class, body);
	}

	private Bundle post(String body) {
		String response = fhir().body(body).post("/").then().statusCode(200).extract().asString();
		return FHIR.newJsonParser().parseResource(Bundle.class, response);
	}

}
