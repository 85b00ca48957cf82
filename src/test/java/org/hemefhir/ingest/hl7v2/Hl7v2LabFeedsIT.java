package org.hemefhir.ingest.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hemefhir.ingest.hl7v2.Hl7v2IngestIT.ack;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.errorLocations;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.errorMessages;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.forPatient;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.readdress;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.sample;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.segment;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hemefhir.FhirIntegrationTest;
import org.junit.jupiter.api.Test;

/**
 * What real laboratory feeds send, over {@code POST /hl7v2}: pending and cancelled
 * results, corrections and withdrawals, local assigning authorities (mapped in the test
 * configuration: HOSP, and HOSP of OTHER-LAB), counts bounded by a comparator; and the
 * same result states over FHIR REST.
 */
class Hl7v2LabFeedsIT extends FhirIntegrationTest {

	private static final String DAR = "http://terminology.hl7.org/CodeSystem/data-absent-reason";

	private static Map<String, Map<String, Object>> byCode(String patient) {
		List<Map<String, Object>> stored = search("/Observation", "subject=" + patient, "_count=100").then()
			.statusCode(200)
			.extract()
			.jsonPath()
			.getList("entry.resource");
		Map<String, Map<String, Object>> byCode = new HashMap<>();
		if (stored != null) {
			stored.forEach(o -> byCode.put(JsonPath.from(json(o)).getString("code.coding[0].code"), o));
		}
		return byCode;
	}

	private static String json(Object o) {
		try {
			return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(o);
		}
		catch (com.fasterxml.jackson.core.JsonProcessingException e) {
			throw new IllegalStateException(e);
		}
	}

	private static JsonPath history(Map<String, Object> observation) {
		return fhir().get("/Observation/" + observation.get("id") + "/_history")
			.then()
			.statusCode(200)
			.extract()
			.jsonPath();
	}

	private static int allV2Results() {
		return search("/Observation", "identifier=" + OruR01Mapper.RESULT_ID_SYSTEM + "|", "_summary=count").then()
			.statusCode(200)
			.extract()
			.path("total");
	}

	@Test
	void pendingAndCancelledResultsAreStoredAndThePendingOneIsResultedLater() {
		String mrn = unique("v2-pending");
		String patient = "Patient/" + createPatient(mrn);
		String prefix = unique("PC");
		String ack = ack(forPatient("oru-r01-v251-pending-cancelled.hl7", mrn, prefix), "AA");
		assertThat(errorLocations(ack)).isEmpty();

		Map<String, Map<String, Object>> stored = byCode(patient);
		assertThat(stored).containsOnlyKeys("751-8", "777-3", "718-7");
		JsonPath anc = JsonPath.from(json(stored.get("751-8")));
		assertThat(anc.getString("status")).isEqualTo("registered");
		assertThat(anc.getString("dataAbsentReason.coding[0].system")).isEqualTo(DAR);
		assertThat(anc.getString("dataAbsentReason.coding[0].code")).isEqualTo("temp-unknown");
		assertThat(anc.getString("valueQuantity")).isNull();
		assertThat(anc.getString("meta.profile[0]")).endsWith("hemefhir-blood-count");
		JsonPath platelets = JsonPath.from(json(stored.get("777-3")));
		assertThat(platelets.getString("status")).isEqualTo("cancelled");
		assertThat(platelets.getString("dataAbsentReason.coding[0].code")).isEqualTo("not-performed");
		assertThat(platelets.getString("dataAbsentReason.text")).isEqualTo("Specimen clotted");
		JsonPath hemoglobin = JsonPath.from(json(stored.get("718-7")));
		assertThat(hemoglobin.getString("status")).isEqualTo("cancelled");
		assertThat(hemoglobin.getString("dataAbsentReason.coding[0].code")).isEqualTo("not-asked");

		// the result arrives: the same Observation, final with its value, version 2
		ack(forPatient("oru-r01-v251-pending-resulted.hl7", mrn, prefix), "AA");
		Map<String, Object> resulted = byCode(patient).get("751-8");
		JsonPath now = JsonPath.from(json(resulted));
		assertThat(now.getString("id")).isEqualTo(anc.getString("id"));
		assertThat(now.getString("status")).isEqualTo("final");
		assertThat(now.getDouble("valueQuantity.value")).isEqualTo(0.3);
		assertThat(now.getString("dataAbsentReason")).isNull();
		assertThat(now.getString("meta.versionId")).isEqualTo("2");
		assertThat(history(resulted).getList("entry.resource.status")).containsExactly("final", "registered");
	}

	@Test
	void aCorrectionThenAWithdrawalKeepEveryVersion() {
		String mrn = unique("v2-withdrawn");
		String patient = "Patient/" + createPatient(mrn);
		String prefix = unique("W");
		ack(forPatient("oru-r01-v251-anc-final.hl7", mrn, prefix), "AA");
		ack(forPatient("oru-r01-v251-anc-corrected.hl7", mrn, prefix), "AA");
		String ack = ack(forPatient("oru-r01-v251-anc-wrong-patient.hl7", mrn, prefix), "AA");
		assertThat(errorLocations(ack)).isEmpty();

		Map<String, Object> withdrawn = byCode(patient).get("751-8");
		JsonPath now = JsonPath.from(json(withdrawn));
		assertThat(now.getString("status")).isEqualTo("entered-in-error");
		// W without OBX-5: the value withdrawn is the stored one
		assertThat(now.getDouble("valueQuantity.value")).isEqualTo(0.6);
		assertThat(now.getString("meta.versionId")).isEqualTo("3");
		JsonPath history = history(withdrawn);
		assertThat(history.getList("entry.resource.status")).containsExactly("entered-in-error", "corrected", "final");
		assertThat(history.getList("entry.resource.valueQuantity.value", Float.class)).containsExactly(0.6f, 0.6f,
				0.4f);
		assertThat(byCode(patient)).hasSize(1);
	}

	@Test
	void withdrawingAResultNeverStoredIsAcceptedWithAWarningAndStoresNothing() {
		String mrn = unique("v2-withdraw-none");
		String patient = "Patient/" + createPatient(mrn);
		String ack = ack(forPatient("oru-r01-v251-anc-wrong-patient.hl7", mrn, unique("WN")), "AA");
		assertThat(errorLocations(ack)).containsExactly("OBX^1");
		assertThat(segment(ack, "ERR").orElseThrow()[4]).isEqualTo("W");
		assertThat(String.join(" ", errorMessages(ack))).contains("is not stored", "entered-in-error");
		assertThat(byCode(patient)).isEmpty();
	}

	@Test
	void aLocalAssigningAuthorityFindsThePatientThroughConfiguration() {
		String mrn = unique("v2-hosp");
		String hospPatient = "Patient/" + createdId(
				fhir().body(patientJson(mrn).replace("urn:test:mrn", "urn:oid:2.999.7.1")).post("/Patient"));
		String otherLabPatient = "Patient/" + createdId(
				fhir().body(patientJson(mrn).replace("urn:test:mrn", "urn:oid:2.999.7.2")).post("/Patient"));
		String message = readdress(sample("oru-r01-v251-local-mrn.hl7"), null, unique("HM"))
			.replace("hl7v2-demo^^^HOSP^MR", mrn + "^^^HOSP^MR");
		assertThat(message).contains("|" + mrn + "^^^HOSP^MR|");
		ack(message, "AA");
		assertThat(byCode(hospPatient)).containsOnlyKeys("751-8");

		// the same namespace from OTHER-LAB stands for its own system
		String fromOtherLab = readdress(message, null, unique("HO")).replace("|LIS|DEMO-LAB|", "|LIS|OTHER-LAB|");
		ack(fromOtherLab, "AA");
		assertThat(byCode(otherLabPatient)).containsOnlyKeys("751-8");
		assertThat(byCode(hospPatient)).hasSize(1);
	}

	@Test
	void anUnmappedAuthorityIsAnErrorNamingTheKeyAndStoresNothing() {
		int before = allV2Results();
		String ack = ack(readdress(sample("broken-unmapped-authority.hl7"), null, unique("UA")), "AE");
		assertThat(errorLocations(ack)).containsExactly("PID^1^3");
		assertThat(String.join(" ", errorMessages(ack))).contains("'CLINIC'",
				"hemefhir.hl7v2.assigning-authorities.CLINIC",
				"hemefhir.hl7v2.sending-facilities.DEMO-LAB.assigning-authorities.CLINIC");
		assertThat(allV2Results()).isEqualTo(before);
	}

	@Test
	void countsBoundedByAComparatorAreStoredWithIt() {
		String mrn = unique("v2-sn");
		String patient = "Patient/" + createPatient(mrn);
		ack(forPatient("oru-r01-v251-sn-comparators.hl7", mrn, unique("SN")), "AA");
		Map<String, Map<String, Object>> stored = byCode(patient);
		JsonPath anc = JsonPath.from(json(stored.get("751-8")));
		assertThat(anc.getString("valueQuantity.comparator")).isEqualTo("<");
		assertThat(anc.getDouble("valueQuantity.value")).isEqualTo(0.1);
		assertThat(anc.getString("valueQuantity.code")).isEqualTo("10*9/L");
		JsonPath platelets = JsonPath.from(json(stored.get("777-3")));
		assertThat(platelets.getString("valueQuantity.comparator")).isEqualTo(">=");
		assertThat(platelets.getDouble("valueQuantity.value")).isEqualTo(1000.0);
		assertThat(platelets.getString("valueQuantity.code")).isEqualTo("10*9/L");
	}

	@Test
	void aRangeForACountIsAnErrorAndNothingOfTheMessageIsStored() {
		String mrn = unique("v2-sn-range");
		String patient = "Patient/" + createPatient(mrn);
		String ack = ack(forPatient("broken-sn-range-count.hl7", mrn, unique("SR")), "AE");
		assertThat(errorLocations(ack)).containsExactly("OBX^1^5");
		assertThat(String.join(" ", errorMessages(ack))).contains("is a range or ratio");
		// OBX 2 (<^0.1) was valid, and is not stored either
		assertThat(byCode(patient)).isEmpty();
	}

	@Test
	void fhirRestStoresPendingAndCancelledCountsAndRefusesHalfResults() {
		String patient = createPatient(unique("rest-pending"));
		String template = """
				{"resourceType":"Observation","status":"%s",
				 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
				 "code":{"coding":[{"system":"http://loinc.org","code":"751-8"}]},
				 "subject":{"reference":"Patient/%s"},"effectiveDateTime":"2025-01-16"%s}
				""";
		String absent = ",\"dataAbsentReason\":{\"coding\":[{\"system\":\"" + DAR + "\",\"code\":\"%s\"}]}";
		String value = ",\"valueQuantity\":{\"value\":0.4,\"unit\":\"10^9/L\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"10*9/L\"}";

		fhir().body(template.formatted("registered", patient, absent.formatted("temp-unknown")))
			.post("/Observation")
			.then()
			.statusCode(201);
		fhir().body(template.formatted("cancelled", patient, absent.formatted("not-performed")))
			.post("/Observation")
			.then()
			.statusCode(201);

		Response both = fhir().body(template.formatted("registered", patient, value + absent.formatted("temp-unknown")))
			.post("/Observation");
		assertThat(both.statusCode()).as(both.asString()).isEqualTo(422);
		assertThat(both.asString()).contains("hf-obs-1");
		Response finalWithoutValue = fhir()
			.body(template.formatted("final", patient, absent.formatted("not-performed")))
			.post("/Observation");
		assertThat(finalWithoutValue.statusCode()).as(finalWithoutValue.asString()).isEqualTo(422);
		assertThat(finalWithoutValue.asString()).contains("hf-obs-2");
		assertThat(search("/Observation", "subject=Patient/" + patient, "_summary=count").then()
			.extract()
			.<Integer>path("total")).isEqualTo(2);
	}

}
