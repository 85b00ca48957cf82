package org.hemefhir.course;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.hemefhir.FhirIntegrationTest;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Range;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code Patient/[id]/$outcomes} on the loaded case answers what the letter reports. */
class OutcomesIT extends FhirIntegrationTest {

	private static final FhirContext R4 = FhirContext.forR4Cached();

	private String patient;

	@BeforeEach
	void findThePatient() {
		patient = search("/Patient", "identifier=" + CASE + "|patient").then()
			.statusCode(200)
			.body("total", equalTo(1))
			.extract()
			.path("entry[0].resource.id");
	}

	static Parameters outcomes(String patient, String... parameters) {
		String body = search("/Patient/" + patient + "/$outcomes", parameters).then()
			.statusCode(200)
			.extract()
			.asString();
		return R4.newJsonParser().parseResource(Parameters.class, body);
	}

	static List<ParametersParameterComponent> all(Parameters p, String name) {
		return p.getParameter().stream().filter(c -> c.getName().equals(name)).toList();
	}

	static ParametersParameterComponent one(Parameters p, String name) {
		List<ParametersParameterComponent> found = all(p, name);
		assertThat(found).as(name).hasSize(1);
		return found.get(0);
	}

	static List<ParametersParameterComponent> parts(ParametersParameterComponent p, String name) {
		return p.getPart().stream().filter(c -> c.getName().equals(name)).toList();
	}

	/** The value of the single part {@code name} as a string (primitive) or reference. */
	static String value(ParametersParameterComponent p, String name) {
		List<ParametersParameterComponent> found = parts(p, name);
		assertThat(found).as(name).hasSize(1);
		return string(found.get(0));
	}

	static String string(ParametersParameterComponent part) {
		if (part.getValue() instanceof PrimitiveType<?> primitive) {
			return primitive.getValueAsString();
		}
		return ((Reference) part.getValue()).getReference();
	}

	private String resourceType(String reference) {
		return fhir().get("/" + reference).then().statusCode(200).extract().path("resourceType");
	}

	@Test
	void neutrophilRecoveryOverOnePointZeroIsDay31WithBothComparators() {
		for (String comparator : List.of("ge", "gt")) {
			ParametersParameterComponent anc = one(outcomes(patient, "anc-threshold=1.0", "comparator=" + comparator),
					"neutrophil-recovery");
			assertThat(value(anc, "status")).isEqualTo("reached");
			assertThat(value(anc, "date")).isEqualTo("2024-05-01");
			assertThat(value(anc, "regimen-day")).isEqualTo("31");
			assertThat(value(anc, "transplant-day")).isEqualTo("-53");
			assertThat(value(anc, "comparator")).isEqualTo(comparator);
			assertThat(value(anc, "rule")).contains("3 successive ANC", "1.0", "Dara-VA-HAA");
			List<String> sources = parts(anc, "source").stream().map(OutcomesIT::string).toList();
			assertThat(sources).hasSize(3);
			List<String> dates = sources.stream()
				.map(s -> fhir().get("/" + s).then().statusCode(200).extract().<String>path("effectiveDateTime"))
				.toList();
			assertThat(dates).containsExactly("2024-05-01", "2024-05-02", "2024-05-03");
		}
	}

	@Test
	void theDefaultThresholdIsMetFromTheFirstMeasuredDayAndSaysSo() {
		ParametersParameterComponent anc = one(outcomes(patient), "neutrophil-recovery");
		assertThat(value(anc, "date")).isEqualTo("2024-04-30");
		assertThat(value(anc, "regimen-day")).isEqualTo("30");
		assertThat(value(anc, "note")).contains("on or before this day");
		assertThat(parts(anc, "threshold").get(0)
			.getValue()
			.castToQuantity(parts(anc, "threshold").get(0).getValue())
			.getValue()).isEqualByComparingTo("0.5");
	}

	@Test
	void plateletRecoveryOverOneHundredIsDay37() {
		ParametersParameterComponent plt = one(outcomes(patient, "platelet-threshold=100", "comparator=gt"),
				"platelet-recovery");
		assertThat(value(plt, "status")).isEqualTo("reached");
		assertThat(value(plt, "date")).isEqualTo("2024-05-07");
		assertThat(value(plt, "regimen-day")).isEqualTo("37");
		assertThat(value(plt, "rule")).contains("no platelet transfusion", "7 days");
		assertThat(fhir().get("/" + value(plt, "source"))
			.then()
			.statusCode(200)
			.extract()
			.<Number>path("valueQuantity.value")
			.doubleValue()).isEqualTo(110.0);
	}

	@Test
	void aLongerTransfusionFreeWindowExcludesTheCountsAfterTheDay11Transfusion() {
		// Day 11 transfusion; day 36 is 25 days later: with a 30-day window no count
		// qualifies.
		ParametersParameterComponent plt = one(outcomes(patient, "platelet-threshold=20", "transfusion-free-days=30"),
				"platelet-recovery");
		assertThat(value(plt, "status")).isEqualTo("not-reached");
		assertThat(value(plt, "reason")).contains("follows a platelet transfusion within 30 days");
		// one note per excluded count: days 32 (the CRi's evidence), 36 and 37
		assertThat(parts(plt, "note")).hasSize(3);
	}

	@Test
	void boneMarrowMrdConvertsOnDay32AndCsfWasNeverPositive() {
		Parameters out = outcomes(patient);
		Map<String, ParametersParameterComponent> bySpecimen = all(out, "mrd-conversion").stream()
			.collect(Collectors.toMap(p -> parts(p, "specimen").get(0)
				.getValue()
				.castToCoding(parts(p, "specimen").get(0).getValue())
				.getCode(), p -> p));
		assertThat(bySpecimen).containsOnlyKeys("MAR", "CSF");
		ParametersParameterComponent marrow = bySpecimen.get("MAR");
		assertThat(value(marrow, "status")).isEqualTo("reached");
		assertThat(value(marrow, "date")).isEqualTo("2024-05-02");
		assertThat(value(marrow, "regimen-day")).isEqualTo("32");
		List<String> sources = parts(marrow, "source").stream().map(OutcomesIT::string).toList();
		assertThat(sources).hasSize(2);
		assertThat(fhir().get("/" + sources.get(0)).then().extract().<String>path("effectiveDateTime"))
			.isEqualTo("2024-03-07");
		assertThat(value(bySpecimen.get("CSF"), "status")).isEqualTo("not-reached");
		assertThat(value(bySpecimen.get("CSF"), "reason")).contains("no positive result");
	}

	@Test
	void diagnosisToTransplantIsARangeBecauseTheDiagnosisIsKnownToTheMonth() {
		ParametersParameterComponent p = one(outcomes(patient), "diagnosis-to-transplant");
		assertThat(value(p, "diagnosis-date")).isEqualTo("2024-02");
		assertThat(value(p, "transplant-date")).isEqualTo("2024-06-23");
		Range days = (Range) parts(p, "days").get(0).getValue();
		assertThat(days.getLow().getValue()).isEqualByComparingTo("115");
		assertThat(days.getHigh().getValue()).isEqualByComparingTo("143");
		assertThat(parts(p, "source").stream().map(OutcomesIT::string).map(this::resourceType))
			.containsExactly("Condition", "Procedure");
	}

	@Test
	void donorChimerismAfterTheTransplant() {
		Parameters out = outcomes(patient);
		assertThat(string(one(out, "transplant").getPart().get(1))).isEqualTo("2024-06-23");
		ParametersParameterComponent chimerism = one(out, "donor-chimerism");
		assertThat(value(chimerism, "status")).isEqualTo("reached");
		ParametersParameterComponent result = parts(chimerism, "result").get(0);
		assertThat(result.getPart().get(0).getValue().castToQuantity(result.getPart().get(0).getValue()).getValue())
			.isEqualByComparingTo("94");
		assertThat(value(result, "transplant-day")).isEqualTo("28");
		assertThat(value(result, "regimen-day")).isEqualTo("112");
	}

	@Test
	void worstGradePerTermAndPerRegimen() {
		Parameters out = outcomes(patient);
		Map<String, String> byTerm = all(out, "worst-grade-by-term").stream()
			.collect(Collectors.toMap(p -> value(p, "term"), p -> value(p, "grade")));
		assertThat(byTerm).hasSize(7).containsEntry("Anemia", "3").containsValues("2", "3");
		assertThat(byTerm.values().stream().filter("3"::equals)).hasSize(3);
		ParametersParameterComponent regimen = one(out, "worst-grade-by-regimen");
		assertThat(parts(regimen, "regimen").get(0).getValue()).isInstanceOfSatisfying(Reference.class,
				r -> assertThat(r.getDisplay()).contains("Dara-VA-HAA"));
		assertThat(value(regimen, "grade")).isEqualTo("3");
		assertThat(value(regimen, "events")).isEqualTo("7");
		assertThat(parts(regimen, "term")).hasSize(3);
	}

	@Test
	void aPatientWithoutDataGetsNotReachedWithReasons() {
		String empty = createPatient(unique("outcomes-empty"));
		Parameters out = outcomes(empty);
		assertThat(value(one(out, "neutrophil-recovery"), "reason")).contains("no ANC measurement");
		assertThat(value(one(out, "platelet-recovery"), "reason")).contains("no platelet count");
		assertThat(value(one(out, "mrd-conversion"), "reason")).isEqualTo("no MRD result");
		assertThat(value(one(out, "diagnosis-to-transplant"), "reason")).isEqualTo("no diagnosis with an onset date");
		assertThat(value(one(out, "donor-chimerism"), "status")).isEqualTo("not-reached");
		assertThat(all(out, "reference-regimen")).isEmpty();
	}

	@Test
	void badParametersAndUnknownPatientsAreOperationOutcomes() {
		search("/Patient/" + patient + "/$outcomes", "anc-threshold=-1").then()
			.statusCode(400)
			.body("resourceType", equalTo("OperationOutcome"))
			.body("issue[0].diagnostics", containsString("anc-threshold"));
		search("/Patient/" + patient + "/$outcomes", "anc-threshold=abc").then()
			.statusCode(400)
			.body("resourceType", equalTo("OperationOutcome"));
		search("/Patient/" + patient + "/$outcomes", "comparator=lt").then()
			.statusCode(400)
			.body("issue[0].diagnostics", containsString("'ge'"));
		search("/Patient/" + patient + "/$outcomes", "regimen=no-such-regimen").then()
			.statusCode(400)
			.body("issue[0].diagnostics", containsString("no-such-regimen"));
		search("/Patient/" + patient + "/$outcomes", "anc-consecutive=0").then().statusCode(400);
		search("/Patient/" + patient + "/$outcomes", "transfusion-free-days=seven").then()
			.statusCode(400)
			.body("issue[0].diagnostics", containsString("transfusion-free-days"));
		search("/Patient/no-such-patient-0/$outcomes").then()
			.statusCode(404)
			.body("resourceType", equalTo("OperationOutcome"));
	}

	@Test
	void anotherReferenceRegimenShiftsTheRegimenDays() {
		ParametersParameterComponent marrow = all(outcomes(patient, "regimen=vdlp"), "mrd-conversion").stream()
			.filter(p -> "MAR"
				.equals(((org.hl7.fhir.r4.model.Coding) parts(p, "specimen").get(0).getValue()).getCode()))
			.findFirst()
			.orElseThrow();
		// Induction started 2024-02-08: the conversion of 2024-05-02 is induction day 85.
		assertThat(value(marrow, "regimen-day")).isEqualTo("85");
		// The induction window ends when consolidation starts: no count is in it.
		assertThat(value(one(outcomes(patient, "regimen=vdlp"), "neutrophil-recovery"), "status"))
			.isEqualTo("not-reached");
	}

}
