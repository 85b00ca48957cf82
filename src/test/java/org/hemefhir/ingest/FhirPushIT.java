package org.hemefhir.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hemefhir.FhirIntegrationTest;
import org.junit.jupiter.api.Test;

/**
 * EHRs and labs pushing results: retries, batches, corrections and patients known by MRN.
 */
class FhirPushIT extends FhirIntegrationTest {

	private static final String LAB = "urn:test:lab-result";

	/** An ANC result the way an EHR sends it: no meta.profile, no HemeFHIR extensions. */
	private static String anc(String subject, String identifier, double value, String unit, String status) {
		return """
				{"resourceType":"Observation","status":"%s",
				 "identifier":[{"system":"%s","value":"%s"}],
				 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
				 "code":{"coding":[{"system":"http://loinc.org","code":"751-8","display":"Neutrophils [#/volume] in Blood by Automated count"}]},
				 "subject":%s,
				 "effectiveDateTime":"2024-05-01T07:30:00Z",
				 "valueQuantity":{"value":%s,"unit":"%s","system":"http://unitsofmeasure.org","code":"%s"}}
				"""
			.formatted(status, LAB, identifier, subject, value, unit, unit);
	}

	private static String ref(String patientId) {
		return "{\"reference\":\"Patient/" + patientId + "\"}";
	}

	private static String entry(String resource, String method, String url, String ifNoneExist) {
		String condition = ifNoneExist == null ? "" : ",\"ifNoneExist\":\"" + ifNoneExist + "\"";
		return "{\"resource\":" + resource + ",\"request\":{\"method\":\"" + method + "\",\"url\":\"" + url + "\""
				+ condition + "}}";
	}

	private static String bundle(String type, String... entries) {
		return "{\"resourceType\":\"Bundle\",\"type\":\"" + type + "\",\"entry\":[" + String.join(",", entries) + "]}";
	}

	private static int countObservations(String identifier) {
		return fhir().get("/Observation?identifier=" + LAB + "|" + identifier + "&_summary=count")
			.then()
			.extract()
			.path("total");
	}

	@Test
	void aStandardEhrLabResultIsAcceptedWithoutProfileDeclarationAndStoredOnceOnRetry() {
		String patient = createPatient(unique("push"));
		String id = unique("anc");
		String body = anc(ref(patient), id, 1.2, "10*9/L", "final");
		String first = fhir().header("If-None-Exist", "identifier=" + LAB + "|" + id)
			.body(body)
			.post("/Observation")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		Response retry = fhir().header("If-None-Exist", "identifier=" + LAB + "|" + id).body(body).post("/Observation");
		retry.then().statusCode(200);
		assertThat(retry.header("Location")).contains("Observation/" + first);
		assertThat(countObservations(id)).isEqualTo(1);
	}

	@Test
	void retriedTransactionsAndBatchesCreateNothingNew() {
		String patient = createPatient(unique("retry"));
		String a = unique("a");
		String b = unique("b");
		String administration = """
				{"resourceType":"MedicationAdministration","status":"completed",
				 "identifier":[{"system":"urn:test:mar","value":"%s"}],
				 "medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"L01BC01"}],"text":"cytarabine"},
				 "subject":{"reference":"Patient/%s"},"effectiveDateTime":"2024-04-01"}
				"""
			.formatted(a, patient);
		String procedure = """
				{"resourceType":"Procedure","status":"completed",
				 "identifier":[{"system":"urn:test:proc","value":"%s"}],
				 "code":{"coding":[{"system":"http://snomed.info/sct","code":"180208003"}]},
				 "usedCode":[{"coding":[{"system":"http://hemefhir.org/fhir/CodeSystem/blood-product","code":"apheresis-platelets"}]}],
				 "subject":{"reference":"Patient/%s"},"performedDateTime":"2024-04-11"}
				"""
			.formatted(b, patient);
		for (String type : List.of("transaction", "batch")) {
			String obs = unique("obs");
			String request = bundle(type,
					entry(anc(ref(patient), obs, 0.8, "10*9/L", "final"), "POST", "Observation",
							"identifier=" + LAB + "|" + obs),
					entry(administration, "POST", "MedicationAdministration", "identifier=urn:test:mar|" + a),
					entry(procedure, "POST", "Procedure", "identifier=urn:test:proc|" + b));
			fhir().body(request).post("/").then().statusCode(200);
			JsonPath retry = fhir().body(request).post("/").then().statusCode(200).extract().jsonPath();
			assertThat(retry.getList("entry.response.status", String.class)).as(type)
				.allMatch(s -> s.startsWith("200"));
			assertThat(countObservations(obs)).isEqualTo(1);
		}
		fhir().get("/MedicationAdministration?identifier=urn:test:mar|" + a + "&_summary=count")
			.then()
			.body("total", equalTo(1));
		fhir().get("/Procedure?identifier=urn:test:proc|" + b + "&_summary=count").then().body("total", equalTo(1));
	}

	@Test
	void aCorrectedResultUpdatesTheStoredOneAndKeepsTheOriginalInHistory() {
		String patient = createPatient(unique("correct"));
		String id = unique("anc");
		String url = "/Observation?identifier=" + LAB + "|" + id;
		String stored = fhir().body(anc(ref(patient), id, 1.2, "10*9/L", "final"))
			.put(url)
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		fhir().body(anc(ref(patient), id, 2.1, "10*9/L", "corrected"))
			.put(url)
			.then()
			.statusCode(200)
			.body("id", equalTo(stored))
			.body("meta.versionId", equalTo("2"));

		JsonPath history = fhir().get("/Observation/" + stored + "/_history").then().extract().jsonPath();
		assertThat(history.getList("entry.resource.status", String.class)).containsExactly("corrected", "final");
		assertThat(history.getList("entry.resource.valueQuantity.value", Float.class)).containsExactly(2.1f, 1.2f);
		assertThat(countObservations(id)).isEqualTo(1);
	}

	@Test
	void aBatchStoresTheGoodEntriesAndNamesTheBadOneByIndexProfileAndElement() {
		String patient = createPatient(unique("batch"));
		String good1 = unique("good");
		String bad = unique("bad");
		String good2 = unique("good");
		String request = bundle("batch",
				entry(anc(ref(patient), good1, 1.0, "10*9/L", "final"), "POST", "Observation", null),
				entry(anc(ref(patient), bad, 1.0, "mg/dL", "final"), "POST", "Observation", null),
				entry(anc(ref(patient), good2, 1.1, "10*9/L", "final"), "POST", "Observation", null));
		JsonPath response = fhir().body(request).post("/").then().statusCode(200).extract().jsonPath();

		assertThat(response.getString("entry[0].response.status")).startsWith("201");
		assertThat(response.getString("entry[1].response.status")).startsWith("422");
		assertThat(response.getString("entry[2].response.status")).startsWith("201");
		String outcome = response.getString("entry[1].response.outcome.issue[0].diagnostics");
		assertThat(outcome).contains("Bundle entry 1", "hemefhir-blood-count", "10*9/L");
		assertThat(response.getList("entry[1].response.outcome.issue[0].expression", String.class))
			.allMatch(e -> e.startsWith("Bundle.entry[1].resource"));
		assertThat(countObservations(good1) + countObservations(good2)).isEqualTo(2);
		assertThat(countObservations(bad)).isZero();
	}

	@Test
	void aTransactionWithOneBadEntryWritesNothing() {
		String patient = createPatient(unique("tx"));
		String good = unique("good");
		String bad = unique("bad");
		Response response = fhir()
			.body(bundle("transaction",
					entry(anc(ref(patient), good, 1.0, "10*9/L", "final"), "POST", "Observation", null),
					entry(anc(ref(patient), bad, 1.0, "mg/dL", "final"), "POST", "Observation", null)))
			.post("/");
		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(response.asString()).contains("Bundle entry 1", "hemefhir-blood-count");
		assertThat(countObservations(good)).isZero();
	}

	@Test
	void thePatientCanBeGivenByBusinessIdentifier() {
		String mrn = unique("mrn");
		String patient = createPatient(mrn);
		String viaIdentifier = unique("by-identifier");
		String stored = fhir()
			.body(anc("{\"identifier\":{\"system\":\"urn:test:mrn\",\"value\":\"" + mrn + "\"}}", viaIdentifier, 1.3,
					"10*9/L", "final"))
			.post("/Observation")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		fhir().get("/Observation/" + stored).then().body("subject.reference", equalTo("Patient/" + patient));

		String viaConditional = unique("conditional");
		String conditional = fhir()
			.body(anc("{\"reference\":\"Patient?identifier=urn:test:mrn|" + mrn + "\"}", viaConditional, 1.4, "10*9/L",
					"final"))
			.post("/Observation")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		fhir().get("/Observation/" + conditional).then().body("subject.reference", equalTo("Patient/" + patient));
	}

	@Test
	void anUnknownPatientIsAClearErrorAndNoStubIsCreated() {
		String unknownMrn = unique("nobody");
		int patientsBefore = fhir().get("/Patient?_summary=count").then().extract().path("total");

		String byIdentifier = unique("x");
		Response response = fhir()
			.body(anc("{\"identifier\":{\"system\":\"urn:test:mrn\",\"value\":\"" + unknownMrn + "\"}}", byIdentifier,
					1.0, "10*9/L", "final"))
			.post("/Observation");
		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(response.asString()).contains(unknownMrn, "matches no Patient");

		String byConditional = unique("y");
		Response conditional = fhir()
			.body(anc("{\"reference\":\"Patient?identifier=urn:test:mrn|" + unknownMrn + "\"}", byConditional, 1.0,
					"10*9/L", "final"))
			.post("/Observation");
		assertThat(conditional.statusCode()).isBetween(400, 499);
		assertThat(conditional.asString()).contains(unknownMrn);

		assertThat(countObservations(byIdentifier) + countObservations(byConditional)).isZero();
		fhir().get("/Patient?_summary=count").then().body("total", equalTo(patientsBefore));
	}

	/**
	 * A graded adverse event as an EHR sends it; R4 has no identifier search on
	 * AdverseEvent, the IG adds one.
	 */
	private static String adverseEvent(String patient, String identifier, String grade) {
		return """
				{"resourceType":"AdverseEvent","actuality":"actual",
				 "extension":[{"url":"http://hemefhir.org/fhir/StructureDefinition/ctcae-grade",
				   "valueCodeableConcept":{"coding":[{"system":"http://hemefhir.org/fhir/CodeSystem/ctcae-grade","code":"%s"}]}}],
				 "identifier":{"system":"%s","value":"%s"},
				 "event":{"coding":[{"system":"http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl","code":"C143283","display":"Anemia"}]},
				 "subject":{"reference":"Patient/%s"},"date":"2024-04-11"}
				"""
			.formatted(grade, LAB, identifier, patient);
	}

	@Test
	void aRetriedAdverseEventIsStoredOnceAndAGradeCorrectionUpdatesIt() {
		String patient = createPatient(unique("ae"));
		String id = unique("ae");
		String condition = "identifier=" + LAB + "|" + id;
		String created = fhir().header("If-None-Exist", condition)
			.body(adverseEvent(patient, id, "2"))
			.post("/AdverseEvent")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		Response retry = fhir().header("If-None-Exist", condition)
			.body(adverseEvent(patient, id, "2"))
			.post("/AdverseEvent");
		retry.then().statusCode(200);
		assertThat(retry.header("Location")).contains("AdverseEvent/" + created);

		// the same event retried inside a transaction, then its grade corrected by a
		// conditional update
		fhir().body(bundle("transaction", entry(adverseEvent(patient, id, "2"), "POST", "AdverseEvent", condition)))
			.post("")
			.then()
			.statusCode(200)
			.body("entry[0].response.status", equalTo("200 OK"));
		fhir().body(adverseEvent(patient, id, "3"))
			.put("/AdverseEvent?" + condition)
			.then()
			.statusCode(200)
			.body("id", equalTo(created))
			.body("meta.versionId", equalTo("2"));

		JsonPath found = fhir().get("/AdverseEvent?" + condition).then().statusCode(200).extract().jsonPath();
		assertThat(found.getInt("total")).isEqualTo(1);
		assertThat(found.getString("entry[0].resource.extension[0].valueCodeableConcept.coding[0].code"))
			.isEqualTo("3");
	}

	@Test
	void copiesOfOneConditionalCreateArrivingTogetherAreStoredOnceAndAllAnswered2xx() throws Exception {
		String patient = createPatient(unique("race"));
		int copies = 8;
		for (int round = 0; round < 3; round++) {
			String id = unique("race");
			String body = anc(ref(patient), id, 1.1, "10*9/L", "final");
			String transaction = bundle("transaction",
					entry(body, "POST", "Observation", "identifier=" + LAB + "|" + id));
			ExecutorService pool = Executors.newFixedThreadPool(copies);
			try {
				CountDownLatch start = new CountDownLatch(1);
				List<Future<Integer>> answers = new ArrayList<>();
				for (int i = 0; i < copies; i++) {
					boolean asBundle = i % 2 == 1; // single conditional creates and
													// transaction entries race each other
					answers.add(pool.submit(() -> {
						start.await();
						return asBundle ? fhir().body(transaction).post("").statusCode()
								: fhir().header("If-None-Exist", "identifier=" + LAB + "|" + id)
									.body(body)
									.post("/Observation")
									.statusCode();
					}));
				}
				start.countDown();
				List<Integer> statuses = new ArrayList<>();
				for (Future<Integer> answer : answers) {
					statuses.add(answer.get(60, TimeUnit.SECONDS));
				}
				assertThat(statuses).as("round %d", round).allMatch(status -> status == 200 || status == 201);
			}
			finally {
				pool.shutdownNow();
			}
			assertThat(countObservations(id)).as("round %d", round).isEqualTo(1);
		}
	}

}
