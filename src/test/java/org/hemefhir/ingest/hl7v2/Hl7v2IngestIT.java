package org.hemefhir.ingest.hl7v2;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.ackCode;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.errorLocations;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.errorMessages;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.forPatient;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.sample;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.segment;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.hemefhir.FhirIntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code POST /hl7v2}: ORU^R01 in, ACK out, results stored once, as profiled
 * Observations.
 */
class Hl7v2IngestIT extends FhirIntegrationTest {

	static Response postV2(String message) {
		return given().basePath("/")
			.contentType("application/hl7-v2")
			.body(message.getBytes(StandardCharsets.UTF_8))
			.post("/hl7v2");
	}

	/** Posts and expects 200 with the given ACK code; returns the ACK. */
	static String ack(String message, String expectedCode) {
		Response response = postV2(message);
		String ack = response.then().statusCode(200).contentType("application/hl7-v2").extract().asString();
		assertThat(ackCode(ack)).as(ack.replace('\r', '\n')).isEqualTo(expectedCode);
		return ack;
	}

	private static JsonPath observationsOf(String patientId) {
		return search("/Observation", "subject=" + patientId, "_count=100").then().statusCode(200).extract().jsonPath();
	}

	@Test
	void resentMessageCreatesNothingNew() {
		String mrn = unique("v2-resend");
		String patient = "Patient/" + createPatient(mrn);
		String message = forPatient("oru-r01-v251-anc-final.hl7", mrn, unique("R"));
		String first = ack(message, "AA");
		String second = ack(message, "AA");
		assertThat(segment(first, "MSA").orElseThrow()[2]).isEqualTo(segment(message, "MSH").orElseThrow()[9]);
		assertThat(segment(second, "MSA").orElseThrow()[2]).isEqualTo(segment(message, "MSH").orElseThrow()[9]);

		JsonPath found = observationsOf(patient);
		assertThat(found.getList("entry")).hasSize(1);
		assertThat(found.getString("entry[0].resource.meta.versionId")).isEqualTo("1");
	}

	@Test
	void correctionUpdatesTheResultAndKeepsHistory() {
		String mrn = unique("v2-correct");
		String patient = "Patient/" + createPatient(mrn);
		String prefix = unique("C");
		ack(forPatient("oru-r01-v251-anc-final.hl7", mrn, prefix), "AA");
		ack(forPatient("oru-r01-v251-anc-corrected.hl7", mrn, prefix), "AA");

		JsonPath found = observationsOf(patient);
		assertThat(found.getList("entry")).hasSize(1);
		assertThat(found.getString("entry[0].resource.status")).isEqualTo("corrected");
		assertThat(found.getDouble("entry[0].resource.valueQuantity.value")).isEqualTo(0.6);
		assertThat(found.getString("entry[0].resource.meta.versionId")).isEqualTo("2");

		String id = found.getString("entry[0].resource.id");
		JsonPath history = fhir().get("/Observation/" + id + "/_history").then().statusCode(200).extract().jsonPath();
		assertThat(history.getList("entry.resource.status")).containsExactly("corrected", "final");
		assertThat(history.getList("entry.resource.valueQuantity.value", Float.class)).containsExactly(0.6f, 0.4f);
		assertThat(found.getString("entry[0].resource.issued")).startsWith("2025-01-11T10:15:00"); // MSH-7
																									// of
																									// the
																									// correction

		// A queue resending out of order: the original (MSH-7 08:30) again after the
		// correction (10:15)
		String late = ack(forPatient("oru-r01-v251-anc-final.hl7", mrn, prefix), "AA");
		assertThat(errorLocations(late)).containsExactly("OBX^1");
		assertThat(segment(late, "ERR").orElseThrow()[4]).isEqualTo("W");
		assertThat(String.join(" ", errorMessages(late))).contains("was not applied", "issued later");
		JsonPath after = observationsOf(patient);
		assertThat(after.getString("entry[0].resource.status")).isEqualTo("corrected");
		assertThat(after.getString("entry[0].resource.meta.versionId")).isEqualTo("2");
	}

	/**
	 * v2 versions of the case's counts (and day-32 MRD/CD38), for a new patient, match
	 * the case's FHIR Observations.
	 */
	@Test
	void caseCountsOverV2MatchTheFhirSamples() {
		String mrn = unique("v2-case");
		String patient = "Patient/" + createPatient(mrn);
		String prefix = unique("K");
		// 2.5.1 and 2.3 both parse
		ack(forPatient("oru-r01-v251-anc-days-30-33.hl7", mrn, prefix), "AA");
		ack(forPatient("oru-r01-v23-platelets-days-36-37.hl7", mrn, prefix), "AA");
		ack(forPatient("oru-r01-v251-mrd-cd38-day-32.hl7", mrn, prefix), "AA");

		Map<String, String> caseIds = Map.of("obs-anc-day30", "http://loinc.org|751-8", "obs-anc-day31",
				"http://loinc.org|751-8", "obs-anc-day32", "http://loinc.org|751-8", "obs-anc-day33",
				"http://loinc.org|751-8", "obs-platelets-day36", "http://loinc.org|777-3", "obs-platelets-day37",
				"http://loinc.org|777-3", "obs-mrd-bm-day32",
				"http://hemefhir.org/fhir/CodeSystem/observation-code|mrd-flow-presence", "obs-cd38-bm-day32",
				"http://hemefhir.org/fhir/CodeSystem/observation-code|cd38-abnormal-cells");
		caseIds.forEach((caseId, code) -> {
			Map<String, Object> expected = search("/Observation", "identifier=" + CASE + "|" + caseId).then()
				.statusCode(200)
				.extract()
				.jsonPath()
				.getMap("entry[0].resource");
			assertThat(expected).as(caseId).isNotNull();
			String date = (String) expected.get("effectiveDateTime");
			List<Map<String, Object>> fromV2 = search("/Observation", "subject=" + patient, "code=" + code,
					"date=" + date)
				.then()
				.statusCode(200)
				.extract()
				.jsonPath()
				.getList("entry.resource");
			assertThat(fromV2).as(caseId).hasSize(1);
			Map<String, Object> actual = fromV2.get(0);
			for (String element : List.of("code", "status", "category", "effectiveDateTime", "valueCodeableConcept",
					"method")) {
				if (element.equals("code") || element.equals("category") || element.equals("valueCodeableConcept")
						|| element.equals("method")) {
					assertThat(codings(actual.get(element))).as(caseId + " " + element)
						.isEqualTo(codings(expected.get(element)));
				}
				else {
					assertThat(actual.get(element)).as(caseId + " " + element).isEqualTo(expected.get(element));
				}
			}
			assertThat(profile(actual)).as(caseId + " profile").isEqualTo(profile(expected));
			if (expected.containsKey("valueQuantity")) {
				Map<?, ?> e = (Map<?, ?>) expected.get("valueQuantity");
				Map<?, ?> a = (Map<?, ?>) actual.get("valueQuantity");
				assertThat(new java.math.BigDecimal(a.get("value").toString())).as(caseId + " value")
					.isEqualByComparingTo(e.get("value").toString());
				assertThat(a.get("system")).isEqualTo(e.get("system"));
				assertThat(a.get("code")).as(caseId + " unit").isEqualTo(e.get("code"));
				assertThat(a.get("unit")).isEqualTo(e.get("unit"));
			}
		});
	}

	/**
	 * A whole CBC as a laboratory sends it: the counts HemeFHIR models profiled, the rest
	 * stored as sent.
	 */
	@Test
	void aFullCbcPanelIsStoredWhole() {
		String mrn = unique("v2-cbc");
		String patient = "Patient/" + createPatient(mrn);
		String message = forPatient("oru-r01-v251-cbc-panel.hl7", mrn, unique("P"));
		ack(message, "AA");
		ack(message, "AA");

		List<Map<String, Object>> stored = observationsOf(patient).getList("entry.resource");
		assertThat(stored).hasSize(9);
		Map<String, Map<String, Object>> byCode = new java.util.HashMap<>();
		stored.forEach(o -> byCode.put(codings(o.get("code")).get(0), o));
		assertThat(profile(byCode.get("http://loinc.org|718-7")).toString()).contains("hemefhir-blood-count");
		assertThat(new java.math.BigDecimal(
				((Map<?, ?>) byCode.get("http://loinc.org|718-7").get("valueQuantity")).get("value").toString()))
			.as("hemoglobin 9.1 g/dL in g/L")
			.isEqualByComparingTo("91");
		Map<String, Object> mcv = byCode.get("http://loinc.org|787-2");
		assertThat(mcv.get("meta")).asString().doesNotContain("profile");
		assertThat((Map<String, Object>) mcv.get("valueQuantity")).containsEntry("value", 94.2f)
			.containsEntry("system", "http://unitsofmeasure.org")
			.containsEntry("code", "fL");
		assertThat(codings(mcv.get("interpretation")))
			.containsExactly("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation|N");
		assertThat(codings(byCode.get("http://loinc.org|6690-2").get("interpretation")))
			.containsExactly("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation|L");
		assertThat(byCode).containsKey("urn:hemefhir:hl7v2:DEMO-LAB:L|BLAST%");
		assertThat(byCode.get("urn:hemefhir:hl7v2:DEMO-LAB:L|SMEAR")).containsEntry("valueString",
				"No circulating blasts seen");
		assertThat(stored).allSatisfy(o -> assertThat(o.get("meta")).asString().contains("versionId=1"));
	}

	@Test
	void rangesAndTitersAreStoredAsRangeAndRatio() {
		String mrn = unique("v2-sn");
		String patient = "Patient/" + createPatient(mrn);
		String message = forPatient("oru-r01-v251-cbc-panel.hl7", mrn, unique("S"))
			.replace("||0|%|0-0|N|", "||^1^-^3|%|0-0|N|")
			.replace("OBX|8|NM|", "OBX|8|SN|")
			.replace("OBX|9|ST|SMEAR^Blood smear review^L||No circulating blasts seen|",
					"OBX|9|SN|ANA^ANA titer^L||^1^:^160|");
		ack(message, "AA");
		List<Map<String, Object>> stored = observationsOf(patient).getList("entry.resource");
		assertThat(stored).filteredOn(o -> o.containsKey("valueRange"))
			.singleElement()
			.extracting(o -> ((Map<?, ?>) ((Map<?, ?>) o.get("valueRange")).get("high")).get("value").toString())
			.isIn("3", "3.0");
		assertThat(stored).filteredOn(o -> o.containsKey("valueRatio")).hasSize(1);
	}

	@ParameterizedTest(name = "{0} -> {1} at {2}")
	@CsvSource({ "broken-msh-delimiters.hl7,   AR, MSH^1^2,  encoding characters",
			"broken-msh-version.hl7,      AR, MSH^1^12, Version '2.9'",
			"broken-missing-pid.hl7,      AE, PID^1,    no PID segment",
			"broken-result-without-code.hl7, AE, OBX^1^3, OBX-3 (observation identifier) has no code",
			"broken-non-numeric-value.hl7, AE, OBX^2^5, 'see comment' is not a number",
			"broken-wrong-unit.hl7,       AE, OBX^1^6,  'mg/dL'",
			"broken-unknown-patient.hl7,  AE, PID^1^3,  No patient with identifier urn:hemefhir:demo\\F\\no-such-patient", })
	void malformedMessagesGetAnErrorAndStoreNothing(String file, String code, String location, String reason) {
		String mrn = unique("v2-broken");
		String patient = "Patient/" + createPatient(mrn);
		boolean keepPatient = file.contains("unknown-patient") || file.contains("missing-pid");
		String message = Hl7v2Messages.readdress(sample(file), keepPatient ? null : mrn, unique("B"));
		int before = allV2Results();

		String ack = ack(message, code);
		assertThat(errorLocations(ack)).contains(location);
		assertThat(String.join(" ", errorMessages(ack))).contains(reason);
		assertThat(observationsOf(patient).getList("entry")).isNullOrEmpty();
		assertThat(allV2Results()).isEqualTo(before);
	}

	@ParameterizedTest(name = "OBX {0} {1}")
	@CsvSource(delimiter = ';', value = { "NM; 1e999999; out of the range", "NM; -1e-999999; out of the range",
			"NM; 0e99999999999999999999; out of the range", "SN; >^1e999999; out of the range", })
	void hostileNumbersAreAnErrorAnsweredQuickly(String type, String value, String reason) {
		String mrn = unique("v2-hostile");
		createPatient(mrn);
		String message = forPatient("oru-r01-v251-anc-final.hl7", mrn, unique("H"))
			.replace("OBX|1|NM|751-8^Neutrophils^LN||0.4|", "OBX|1|" + type + "|751-8^Neutrophils^LN||" + value + "|");
		long start = System.nanoTime();
		String ack = ack(message, "AE");
		assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(5));
		assertThat(errorLocations(ack)).containsExactly("OBX^1^5");
		assertThat(String.join(" ", errorMessages(ack))).contains(reason);
	}

	/**
	 * The fuzzer's findings (each was answered as an internal error, or a 500), sent over
	 * HTTP as they are.
	 */
	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "finding-msh-without-delimiters.hl7", "finding-msh7-month-00.hl7",
			"finding-parser-class-cast.hl7" })
	void fuzzFindingsAreAnErrorNotAnInternalFailure(String file) throws java.io.IOException {
		byte[] message;
		try (var in = getClass().getResourceAsStream("Hl7v2FuzzTestInputs/readAndMap/" + file)) {
			message = in.readAllBytes();
		}
		Response response = given().basePath("/").contentType("application/hl7-v2").body(message).post("/hl7v2");
		String ack = response.then().statusCode(200).extract().asString();
		assertThat(ackCode(ack)).as(ack.replace('\r', '\n')).isIn("AE", "AR");
		assertThat(ack).doesNotContain("Internal error");
	}

	@Test
	void hostileRangeOfAnotherResultIsAnError() {
		String mrn = unique("v2-hostile-range");
		createPatient(mrn);
		String message = forPatient("oru-r01-v251-cbc-panel.hl7", mrn, unique("HR"))
			.replace("94.2|fL|", "^1e999999^-^2|fL|")
			.replaceFirst("\\|NM\\|(787-2)", "|SN|$1");
		String ack = postV2(message).then().statusCode(200).extract().asString();
		assertThat(ackCode(ack)).as(ack.replace('\r', '\n')).isEqualTo("AE");
	}

	@Test
	void profileValidationFailureIsReportedAtItsSegment() {
		String mrn = unique("v2-profile");
		String patient = "Patient/" + createPatient(mrn);
		String ack = ack(forPatient("broken-specimen-type.hl7", mrn, unique("P")), "AE");
		assertThat(errorLocations(ack)).as(ack.replace('\r', '\n')).contains("SPM^1^4");
		assertThat(observationsOf(patient).getList("entry")).isNullOrEmpty();
		assertThat(search("/Specimen", "subject=" + patient).then().extract().jsonPath().getList("entry"))
			.isNullOrEmpty();
	}

	@Test
	void bodyThatIsNoHl7MessageIs400() {
		Response response = postV2("{\"resourceType\":\"Observation\"}");
		response.then().statusCode(400).contentType("application/hl7-v2");
		assertThat(ackCode(response.asString())).isEqualTo("AR");
		assertThat(String.join(" ", errorMessages(response.asString()))).contains("Not an HL7 v2 message");
	}

	@Test
	void textPlainIsAcceptedToo() {
		String mrn = unique("v2-text");
		createPatient(mrn);
		given().basePath("/")
			.contentType("text/plain")
			.body(forPatient("oru-r01-v24-hemoglobin-wbc.hl7", mrn, unique("T")).replace("\r", "\r\n"))
			.post("/hl7v2")
			.then()
			.statusCode(200);
	}

	private static int allV2Results() {
		return search("/Observation", "identifier=" + OruR01Mapper.RESULT_ID_SYSTEM + "|", "_summary=count").then()
			.statusCode(200)
			.extract()
			.path("total");
	}

	private static List<String> codings(Object concept) {
		if (concept == null) {
			return List.of();
		}
		Object value = concept instanceof List<?> list ? list : List.of(concept);
		return ((List<?>) value).stream()
			.flatMap(c -> ((List<?>) ((Map<?, ?>) c).get("coding")).stream())
			.map(c -> ((Map<?, ?>) c).get("system") + "|" + ((Map<?, ?>) c).get("code"))
			.toList();
	}

	@SuppressWarnings("unchecked")
	private static Object profile(Map<String, Object> resource) {
		return ((Map<String, Object>) resource.get("meta")).get("profile");
	}

}
