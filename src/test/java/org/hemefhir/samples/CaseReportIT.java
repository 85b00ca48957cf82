package org.hemefhir.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.hemefhir.FhirIntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The case of sample-bundles/case-report/, loaded at startup, answers the questions
 * researchers ask of it with standard FHIR queries (sample-bundles/README.md lists the
 * same queries).
 */
class CaseReportIT extends FhirIntegrationTest {

	private static final Path SAMPLES = Path.of("sample-bundles");

	private static final String LOINC = "http://loinc.org|";

	private static final String OBSERVATION_CODE = "http://hemefhir.org/fhir/CodeSystem/observation-code|";

	private static final String TREATMENT_DAY = "http://hemefhir.org/fhir/StructureDefinition/treatment-day";

	private String patient;

	@BeforeEach
	void findThePatient() {
		patient = fhir().get("/Patient?identifier=" + CASE + "|patient")
			.then()
			.statusCode(200)
			.body("total", equalTo(1))
			.extract()
			.path("entry[0].resource.id");
	}

	/**
	 * Business identifier value of every resource in the case bundles, read from the
	 * files.
	 */
	private static List<String> caseIdentifiers() {
		List<String> values = new ArrayList<>();
		for (Path bundle : caseBundles()) {
			JsonPath json = JsonPath.from(read(bundle));
			for (Map<String, Object> entry : json.<Map<String, Object>>getList("entry")) {
				values.add(String.valueOf(entry.get("fullUrl")));
			}
		}
		return values;
	}

	@Test
	void q1_everythingReturnsEveryResourceOfTheCase() {
		JsonPath everything = fhir().get("/Patient/" + patient + "/$everything?_count=500")
			.then()
			.statusCode(200)
			.extract()
			.jsonPath();
		assertThat(everything.getList("entry")).hasSize(caseIdentifiers().size());
		assertThat(everything.getList("entry.resource.resourceType", String.class)).contains("Patient", "Condition",
				"Specimen", "Observation", "CarePlan", "MedicationAdministration", "AdverseEvent", "Procedure",
				"ResearchStudy", "ResearchSubject", "Consent", "Composition", "Organization");
	}

	@Test
	void q2_mrdOverTimeBoneMarrowVersusCsfInDateOrder() {
		String patientParam = "patient=" + patient;
		// the letter's MRD results are negative/positive: the qualitative code, not LOINC
		// 67128-9 (a %)
		String mrd = "code=" + OBSERVATION_CODE + "mrd-flow-presence";
		JsonPath all = search("/Observation", patientParam, mrd, "_sort=date").then().extract().jsonPath();
		List<String> dates = all.getList("entry.resource.effectiveDateTime", String.class);
		assertThat(dates).isSorted().startsWith("2024-03-07", "2024-05-02").endsWith("2025-02-15");
		assertThat(all.getList("entry.resource.collect { it.valueCodeableConcept.coding[0].code }", String.class))
			.containsExactly("POS", "NEG", "NEG", "NEG", "NEG", "NEG", "NEG", "NEG", "NEG");

		String marrow = "specimen:Specimen.type=http://terminology.hl7.org/CodeSystem/v2-0487|MAR";
		String csf = "specimen:Specimen.type=http://terminology.hl7.org/CodeSystem/v2-0487|CSF";
		List<String> marrowDates = search("/Observation", patientParam, mrd, marrow, "_sort=date").then()
			.extract()
			.jsonPath()
			.getList("entry.resource.effectiveDateTime", String.class);
		assertThat(marrowDates).isSorted().contains("2024-05-02", "2024-06-12", "2025-02-15");
		// Five consecutive negative marrow results through November 2024.
		assertThat(search("/Observation", patientParam, mrd, marrow, "date=le2024-11-30",
				"value-concept=http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation|NEG")
			.then()
			.extract()
			.jsonPath()
			.getList("entry")).hasSize(5);
		assertThat(search("/Observation", patientParam, mrd, csf, "_sort=date").then()
			.extract()
			.jsonPath()
			.getList("entry.resource.effectiveDateTime", String.class)).containsExactly("2024-06-12", "2024-11-15");
	}

	@Test
	void q3_cd38PositivityOverTime() {
		// CD38 on the leukaemic cells, marrow and CSF alike (LOINC 51298-8 would be all
		// marrow cells)
		JsonPath cd38 = search("/Observation", "patient=" + patient, "code=" + OBSERVATION_CODE + "cd38-abnormal-cells",
				"_sort=date")
			.then()
			.extract()
			.jsonPath();
		assertThat(cd38.getList("entry.resource.effectiveDateTime", String.class)).isSorted()
			.contains("2024-05-02", "2024-06-12");
		assertThat(cd38.getString("entry[0].resource.interpretation[0].coding[0].code")).isEqualTo("H");
		search("/Observation", "patient=" + patient, "code=" + OBSERVATION_CODE + "cd38-abnormal-cells",
				"date=ge2024-05-01")
			.then()
			.body("entry", hasSize(6))
			.body("entry.resource.valueQuantity.value", everyItem(equalTo(0.0f)));
	}

	@Test
	void q4_bloodCountsInARangeAndTheFirstDaysOverThreshold() {
		search("/Observation", "patient=" + patient, "category=laboratory",
				"code=" + LOINC + "751-8," + LOINC + "777-3", "date=ge2024-04-30", "date=le2024-05-07", "_sort=date")
			.then()
			.body("entry.resource.effectiveDateTime", equalTo(List.of("2024-04-30", "2024-05-01", "2024-05-02",
					"2024-05-02", "2024-05-03", "2024-05-06", "2024-05-07")));

		JsonPath anc = search("/Observation", "patient=" + patient, "code=" + LOINC + "751-8",
				"value-quantity=gt1.0|http://unitsofmeasure.org|10*9/L", "_sort=date", "_count=1")
			.then()
			.extract()
			.jsonPath();
		assertThat(anc.getString("entry[0].resource.effectiveDateTime")).isEqualTo("2024-05-01");
		assertThat(treatmentDay(anc, "entry[0].resource")).isEqualTo(31);

		JsonPath platelets = search("/Observation", "patient=" + patient, "code=" + LOINC + "777-3",
				"value-quantity=gt100|http://unitsofmeasure.org|10*9/L", "_sort=date", "_count=1")
			.then()
			.extract()
			.jsonPath();
		assertThat(platelets.getString("entry[0].resource.effectiveDateTime")).isEqualTo("2024-05-07");
		assertThat(treatmentDay(platelets, "entry[0].resource")).isEqualTo(37);
	}

	@Test
	void q5_adverseEventsWithGradeFilterableByGradeAndSuspectedDrug() {
		String subject = "subject=Patient/" + patient;
		JsonPath all = search("/AdverseEvent", subject).then().extract().jsonPath();
		assertThat(all.getList("entry")).hasSize(7);
		assertThat(all.getList(
				"entry.resource.extension.flatten().findAll { it.url.endsWith('ctcae-grade') }.collect { it.valueCodeableConcept.coding[0].code }",
				String.class))
			.containsOnly("2", "3")
			.hasSize(7);
		search("/AdverseEvent", subject, "ctcae-grade=3").then()
			.body("entry.resource.collect { it.event.coding[0].display }", org.hamcrest.Matchers
				.containsInAnyOrder("Neutrophil count decreased", "Anemia", "Platelet count decreased"));
		search("/AdverseEvent", subject, "ctcae-grade=2", "_summary=count").then().body("total", equalTo(4));

		String daratumumab = search("/MedicationAdministration", "patient=" + patient,
				"code=http://www.whocc.no/atc|L01FC01")
			.then()
			.extract()
			.path("entry[0].resource.id");
		assertThat(daratumumab).isNotNull();
		search("/AdverseEvent", "substance=MedicationAdministration/" + daratumumab, "_summary=count").then()
			.body("total", equalTo(7));
	}

	@Test
	void q6_everyAdministrationOfTheDaraVaHaaRegimen() {
		JsonPath regimen = search("/CarePlan", "subject=Patient/" + patient, "regimen-code=dara-va-haa",
				"_revinclude=MedicationAdministration:regimen")
			.then()
			.extract()
			.jsonPath();
		assertThat(regimen.getList("entry.findAll { it.search.mode == 'match' }")).hasSize(1);
		List<String> agents = regimen.getList(
				"entry.findAll { it.resource.resourceType == 'MedicationAdministration' }.resource.medicationCodeableConcept.text",
				String.class);
		assertThat(String.join(" ", agents).toLowerCase()).contains("daratumumab", "venetoclax", "azacitidine",
				"homoharringtonine", "cytarabine", "aclarubicin");

		String carePlan = regimen.getString("entry[0].resource.id");
		search("/MedicationAdministration", "regimen=CarePlan/" + carePlan, "_summary=count").then()
			.body("total", equalTo(agents.size()));
	}

	@Test
	void q7_transplantWithDonorDetailsAndLinkedChimerism() {
		JsonPath transplant = search("/Procedure", "subject=Patient/" + patient,
				"code=http://snomed.info/sct|234336002", "_revinclude=Observation:focus")
			.then()
			.extract()
			.jsonPath();
		String hsct = "entry.find { it.resource.resourceType == 'Procedure' }.resource";
		assertThat(transplant.prettify()).contains("13.35", "10*6/kg", "SONC", "LA19708-9", "LA19709-7",
				"haploidentical");
		String hla = hsct
				+ ".extension.find { it.url.endsWith('hla-match') }.extension.find { it.url == 'matched-antigens' }.valueRatio";
		assertThat(transplant.getInt(hla + ".numerator.value")).isEqualTo(7);
		assertThat(transplant.getInt(hla + ".denominator.value")).isEqualTo(12);
		assertThat(transplant
			.getFloat("entry.find { it.resource.resourceType == 'Observation' }.resource.valueQuantity.value"))
			.isEqualTo(94.0f);
	}

	@Test
	void q8_diseaseStatusOverTime() {
		search("/Observation", "patient=" + patient, "code=" + LOINC + "97509-4", "_sort=date").then()
			.body("entry.resource.collect { it.valueCodeableConcept.coding[0].code }",
					equalTo(List.of("cr-mrd-pos", "cri-mrd-neg", "cr-mrd-neg", "cr-mrd-neg", "cr-mrd-neg")));
	}

	/**
	 * The first MRD-negative remission is the day-32 CRi, found by the response codes.
	 */
	@Test
	void q8_firstMrdNegativeRemissionIsDay32() {
		JsonPath first = search("/Observation", "patient=" + patient, "code=" + LOINC + "97509-4",
				"value-concept=http://hemefhir.org/fhir/CodeSystem/disease-response|cr-mrd-neg,"
						+ "http://hemefhir.org/fhir/CodeSystem/disease-response|cri-mrd-neg",
				"_sort=date", "_count=1")
			.then()
			.statusCode(200)
			.extract()
			.jsonPath();
		assertThat(first.getString("entry[0].resource.effectiveDateTime")).isEqualTo("2024-05-02");
		assertThat(first.getString("entry[0].resource.valueCodeableConcept.coding[0].code")).isEqualTo("cri-mrd-neg");
		assertThat(treatmentDay(first, "entry[0].resource")).isEqualTo(32);
	}

	/** _tag:not leaves out every resource holding a value the letter does not state. */
	@Test
	void assumedDataCanBeLeftOut() {
		String assumed = "http://hemefhir.org/fhir/CodeSystem/data-origin|assumed";
		List<String> reported = search("/Observation", "patient=" + patient, "code=" + LOINC + "97509-4",
				"_tag:not=" + assumed, "_sort=date")
			.then()
			.statusCode(200)
			.extract()
			.jsonPath()
			.getList("entry.resource.effectiveDateTime", String.class);
		// day 32 and day 73 are reported days; the others have an assumed date
		assertThat(reported).containsExactly("2024-05-02", "2024-06-12");
		search("/AdverseEvent", "subject=Patient/" + patient, "_tag=" + assumed).then().body("entry", hasSize(7));
	}

	@Test
	void q9_eventsByTreatmentDay() {
		JsonPath days30to40 = search("/Observation", "patient=" + patient, "treatment-day=ge30", "treatment-day=le40",
				"treatment-day-anchor:CarePlan.regimen-code=dara-va-haa", "_sort=date")
			.then()
			.statusCode(200)
			.extract()
			.jsonPath();
		List<Integer> days = new ArrayList<>();
		for (int i = 0; i < days30to40.getList("entry").size(); i++) {
			days.add(treatmentDay(days30to40, "entry[" + i + "].resource"));
		}
		assertThat(days).isNotEmpty().allMatch(d -> d >= 30 && d <= 40).contains(31, 32, 37);
		search("/AdverseEvent", "treatment-day=11", "subject=Patient/" + patient, "_summary=count").then()
			.body("total", equalTo(3));
	}

	@Test
	void q10_theCaseReportAsADocument() {
		String composition = fhir().get("/Composition?subject=Patient/" + patient)
			.then()
			.extract()
			.path("entry[0].resource.id");
		JsonPath document = fhir().get("/Composition/" + composition + "/$document")
			.then()
			.statusCode(200)
			.extract()
			.jsonPath();
		assertThat(document.getString("type")).isEqualTo("document");
		assertThat(document.getString("entry[0].resource.resourceType")).isEqualTo("Composition");
		assertThat(document.getList("entry[0].resource.section.title", String.class)).hasSize(5);
		assertThat(document.getList("entry")).hasSize(caseIdentifiers().size());
	}

	@Test
	void everyResourceOfTheCaseDeclaresAndMeetsItsProfile() {
		JsonPath everything = fhir().get("/Patient/" + patient + "/$everything?_count=500").then().extract().jsonPath();
		List<Map<String, Object>> resources = everything.getList("entry.resource");
		for (Map<String, Object> resource : resources) {
			String type = (String) resource.get("resourceType");
			Response validation = fhir().get("/" + type + "/" + resource.get("id") + "/$validate");
			assertThat(validation.jsonPath().getList("issue.severity", String.class))
				.as(type + "/" + resource.get("id") + ": " + validation.asString())
				.doesNotContain("error", "fatal");
			assertThat(validation.asString()).as("no internals in messages")
				.doesNotContainPattern("\\b(java|org\\.hl7|ca\\.uhn)\\.[a-z]+\\.");
		}
	}

	@Test
	void loadingTheCaseAgainChangesNothing() {
		int before = fhir().get("/Patient/" + patient + "/$everything?_count=500")
			.then()
			.extract()
			.jsonPath()
			.getList("entry")
			.size();
		for (Path bundle : caseBundles()) {
			JsonPath response = fhir().body(read(bundle)).post("/").then().statusCode(200).extract().jsonPath();
			assertThat(response.getList("entry.response.status", String.class)).as(bundle.toString())
				.allMatch(s -> s.startsWith("200"));
			assertThat(response.getList("entry.response.etag", String.class))
				.allMatch(etag -> etag.replace("W/", "").replace("\"", "").equals("1"));
		}
		int after = fhir().get("/Patient/" + patient + "/$everything?_count=500")
			.then()
			.extract()
			.jsonPath()
			.getList("entry")
			.size();
		assertThat(after).isEqualTo(before);
		fhir().get("/Patient?identifier=" + CASE + "|patient&_summary=count").then().body("total", equalTo(1));
	}

	static Stream<Arguments> invalidSamples() {
		// | `invalid/file.json` | reason | status | `substring` ... | location |
		Pattern row = Pattern.compile("^\\| `(invalid/[^`]+)` \\| (.+?) \\| (\\d{3}) \\| `([^`]+)`");
		List<Arguments> rows = new ArrayList<>();
		for (String line : read(SAMPLES.resolve("README.md")).split("\n")) {
			Matcher m = row.matcher(line);
			if (m.find()) {
				rows.add(Arguments.of(m.group(1), m.group(2), Integer.parseInt(m.group(3)), m.group(4)));
			}
		}
		return rows.stream();
	}

	@ParameterizedTest(name = "{0}: {1}")
	@MethodSource("invalidSamples")
	void invalidSampleIsRefusedForItsReason(String file, String reason, int status, String mentions) {
		String body = read(SAMPLES.resolve(file));
		Response response = fhir().body(body).post(target(file, body));
		assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
		assertThat(response.asString().replace("\\\"", "\"")).contains(mentions);
	}

	@Test
	void everyInvalidSampleIsListedWithItsReason() throws IOException {
		try (Stream<Path> files = Files.list(SAMPLES.resolve("invalid"))) {
			List<String> listed = invalidSamples().map(a -> (String) a.get()[0]).toList();
			assertThat(files.map(f -> "invalid/" + f.getFileName())).containsExactlyInAnyOrderElementsOf(listed);
		}
	}

	/**
	 * Bundles go to the system endpoint, resources to their type, the mismatch to
	 * Observation.
	 */
	private static String target(String file, String body) {
		if (file.contains("resource-type-mismatch") || file.contains("malformed")) {
			return "/Observation";
		}
		String type = JsonPath.from(body).getString("resourceType");
		return "Bundle".equals(type) ? "/" : "/" + type;
	}

	private static Integer treatmentDay(JsonPath json, String resourcePath) {
		return json.getInt(resourcePath + ".extension.find { it.url == '" + TREATMENT_DAY
				+ "' }.extension.find { it.url == 'day' }.valueInteger");
	}

	static List<Path> caseBundles() {
		try (Stream<Path> files = Files.list(SAMPLES.resolve("case-report"))) {
			return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
	}

	static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
	}

}
