package org.hemefhir.export;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hemefhir.FhirIntegrationTest;
import org.junit.jupiter.api.Test;

/**
 * FHIR Bulk Data {@code $export} (HAPI batch2): kick-off, polling, manifest and NDJSON
 * files, checked file by file on a generated cohort; cancellation; the de-identified
 * export of the case.
 */
class BulkExportIT extends FhirIntegrationTest {

	private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}(-\\d{2})?");

	private static String observationJson(String patientId, String loinc, String date, double value) {
		return """
				{"resourceType":"Observation","status":"final",
				 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
				 "code":{"coding":[{"system":"http://loinc.org","code":"%s"}]},
				 "subject":{"reference":"Patient/%s"},"effectiveDateTime":"%s",
				 "valueQuantity":{"value":%s,"unit":"10^9/L","system":"http://unitsofmeasure.org","code":"10*9/L"}}
				"""
			.formatted(loinc, patientId, date, value);
	}

	/** A Group listing the given patients (Group is base R4 in HemeFHIR). */
	private static String createCohort(List<String> patients) {
		StringBuilder members = new StringBuilder();
		for (String p : patients) {
			members.append(members.isEmpty() ? "" : ",")
				.append("{\"entity\":{\"reference\":\"Patient/")
				.append(p)
				.append("\"}}");
		}
		return createdId(fhir().body("""
				{"resourceType":"Group","type":"person","actual":true,
				 "name":"T-ALL consolidation with daratumumab (test cohort)","member":[%s]}
				""".formatted(members)).post("/Group"));
	}

	/** Kick-off: 202 with the polling URL in Content-Location. */
	private static String kickOff(String path, String... parameters) {
		var request = given().accept(FHIR_JSON).header("Prefer", "respond-async");
		for (String parameter : parameters) {
			int eq = parameter.indexOf('=');
			request = request.queryParam(parameter.substring(0, eq), parameter.substring(eq + 1));
		}
		Response response = request.get(path);
		response.then().statusCode(202);
		String location = response.getHeader("Content-Location");
		assertThat(location).contains("$export-poll-status?_jobId=");
		return location;
	}

	/**
	 * Polls until the manifest (202 with X-Progress meanwhile); fails after two minutes.
	 */
	private static JsonPath awaitManifest(String pollUrl) throws InterruptedException {
		for (int i = 0; i < 240; i++) {
			Response poll = given().accept(FHIR_JSON).get(pollUrl);
			if (poll.statusCode() == 200) {
				return poll.jsonPath();
			}
			assertThat(poll.statusCode()).as(poll.asString()).isEqualTo(202);
			assertThat(poll.getHeader("X-Progress")).isNotBlank();
			Thread.sleep(500);
		}
		throw new AssertionError("export did not finish within two minutes: " + pollUrl);
	}

	/**
	 * Every line of every NDJSON file of a manifest, per resource type, each line parsed.
	 */
	private static Map<String, List<JsonPath>> download(JsonPath manifest) {
		Map<String, List<JsonPath>> byType = new HashMap<>();
		for (Map<String, Object> output : manifest.<Map<String, Object>>getList("output")) {
			String body = given().accept("application/fhir+ndjson")
				.get((String) output.get("url"))
				.then()
				.statusCode(200)
				.extract()
				.asString();
			for (String line : body.split("\n")) {
				if (line.isBlank()) {
					continue;
				}
				JsonPath resource = JsonPath.from(line);
				assertThat(resource.getString("resourceType")).as("line of the %s file", output.get("type"))
					.isEqualTo(output.get("type"));
				byType.computeIfAbsent((String) output.get("type"), k -> new ArrayList<>()).add(resource);
			}
		}
		return byType;
	}

	@Test
	void groupExportOfAGeneratedCohortFileByFile() throws InterruptedException {
		List<String> cohort = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			String patient = createPatient(unique("cohort"));
			cohort.add(patient);
			createdId(fhir().body(observationJson(patient, "751-8", "2024-05-0" + (i + 1), 1.1 + i))
				.post("/Observation"));
			createdId(
					fhir().body(observationJson(patient, "777-3", "2024-05-0" + (i + 1), 90 + i)).post("/Observation"));
		}
		String outsider = createPatient(unique("not-in-cohort"));
		createdId(fhir().body(observationJson(outsider, "751-8", "2024-05-01", 2.0)).post("/Observation"));
		String group = createCohort(cohort);

		JsonPath manifest = awaitManifest(kickOff("/Group/" + group + "/$export", "_type=Patient,Observation"));
		assertThat(manifest.getList("output.type", String.class)).containsOnly("Patient", "Observation");
		assertThat(manifest.getString("request")).contains("/Group/" + group + "/").contains("export");
		Map<String, List<JsonPath>> files = download(manifest);
		assertThat(files.get("Patient")).extracting(p -> p.getString("id")).containsExactlyInAnyOrderElementsOf(cohort);
		assertThat(files.get("Observation")).hasSize(6)
			.allSatisfy(o -> assertThat(cohort).contains(o.getString("subject.reference").replace("Patient/", "")));

		// _typeFilter narrows a type; the same cohort, platelets only.
		JsonPath platelets = awaitManifest(kickOff("/Group/" + group + "/$export", "_type=Observation",
				"_typeFilter=Observation?code=http://loinc.org|777-3"));
		List<JsonPath> observations = download(platelets).get("Observation");
		assertThat(observations).hasSize(3)
			.allSatisfy(o -> assertThat(o.getString("code.coding[0].code")).isEqualTo("777-3"));
	}

	/**
	 * More results than a page holds: the export reads a chunk of ids with one
	 * synchronous search, which a default fetch-size cap cut short (HAPI-0464, the job
	 * failed).
	 */
	@Test
	void anExportHoldsEveryResultOfAPatientWithMoreThanAPageOfThem() throws InterruptedException {
		String patient = createPatient(unique("many-counts"));
		int count = 520;
		StringBuilder entries = new StringBuilder();
		for (int i = 0; i < count; i++) {
			entries.append(i == 0 ? "" : ",")
				.append("{\"resource\":")
				.append(observationJson(patient, "751-8", "2024-05-01", 1 + i / 1000.0))
				.append(",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}");
		}
		fhir().body("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entries + "]}")
			.post("/")
			.then()
			.statusCode(200);
		String group = createCohort(List.of(patient));

		JsonPath manifest = awaitManifest(kickOff("/Group/" + group + "/$export", "_type=Observation"));
		assertThat(download(manifest).get("Observation")).hasSize(count);
	}

	@Test
	void systemExportWithSinceOnlyHasWhatChangedSince() throws InterruptedException {
		String since = given().accept(FHIR_JSON).get("/metadata").then().extract().header("Date");
		Thread.sleep(1100);
		String fresh = createPatient(unique("since"));
		String sinceParam = java.time.ZonedDateTime.parse(since, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
			.toInstant()
			.toString();
		JsonPath manifest = awaitManifest(kickOff("/$export", "_type=Patient", "_since=" + sinceParam));
		List<String> ids = download(manifest).getOrDefault("Patient", List.of())
			.stream()
			.map(p -> p.getString("id"))
			.toList();
		assertThat(ids).contains(fresh);
		String casePatient = search("/Patient", "identifier=" + CASE + "|patient").then()
			.extract()
			.path("entry[0].resource.id");
		assertThat(ids).doesNotContain(casePatient);
	}

	@Test
	void kickOffWithoutPreferAsyncIsRefusedAndAJobCanBeCancelled() {
		given().accept(FHIR_JSON)
			.get("/Patient/$export")
			.then()
			.statusCode(400)
			.body("resourceType", equalTo("OperationOutcome"));

		String poll = kickOff("/$export", "_type=Patient,Observation,Procedure,CarePlan");
		Response cancel = given().accept(FHIR_JSON).delete(poll);
		// 202: cancellation accepted; 404 only if the job had already finished (then
		// nothing to cancel).
		assertThat(cancel.statusCode()).as(cancel.asString()).isIn(202, 404);
		if (cancel.statusCode() == 202) {
			Response after = given().accept(FHIR_JSON).get(poll);
			assertThat(after.statusCode()).as("a cancelled job has no manifest").isNotEqualTo(200);
		}
	}

	/** Every string value of a JSON document, recursively. */
	@SuppressWarnings("unchecked")
	private static void strings(Object node, String key, List<String[]> out) {
		if (node instanceof Map<?, ?> map) {
			map.forEach((k, v) -> strings(v, (String) k, out));
		}
		else if (node instanceof List<?> list) {
			list.forEach(v -> strings(v, key, out));
		}
		else if (node instanceof String s) {
			out.add(new String[] { key, s });
		}
	}

	private static List<String[]> strings(Map<String, List<JsonPath>> files) {
		List<String[]> out = new ArrayList<>();
		files.values().forEach(list -> list.forEach(j -> strings(j.get(), null, out)));
		return out;
	}

	/**
	 * Day-precision dates (also the date part of dateTimes), as offsets from the
	 * earliest.
	 */
	private static List<Long> dayOffsets(List<String[]> strings) {
		List<LocalDate> days = new ArrayList<>();
		for (String[] s : strings) {
			if (s[1].matches("\\d{4}-\\d{2}-\\d{2}(T.*)?") && !"lastUpdated".equals(s[0])) {
				days.add(LocalDate.parse(s[1].substring(0, 10)));
			}
		}
		LocalDate first = days.stream().min(LocalDate::compareTo).orElseThrow();
		return days.stream().map(d -> ChronoUnit.DAYS.between(first, d)).sorted().toList();
	}

	@Test
	void aPostKickOffWithDeidentifyInItsParametersIsDeidentifiedToo() throws InterruptedException {
		String patient = search("/Patient", "identifier=" + CASE + "|patient").then()
			.extract()
			.path("entry[0].resource.id");
		Response kickOff = given().contentType(FHIR_JSON).accept(FHIR_JSON).header("Prefer", "respond-async").body("""
				{"resourceType":"Parameters","parameter":[
				 {"name":"_type","valueString":"Patient,Observation"},
				 {"name":"_deidentify","valueBoolean":true}]}""").post("/Patient/" + patient + "/$export");
		kickOff.then().statusCode(202);
		Map<String, List<JsonPath>> files = download(awaitManifest(kickOff.getHeader("Content-Location")));

		assertThat(files.keySet()).containsExactlyInAnyOrder("Patient", "Observation");
		String everything = files.values()
			.stream()
			.flatMap(List::stream)
			.map(JsonPath::prettify)
			.reduce("", String::concat);
		assertThat(everything).doesNotContain("case-tjh-2025-0019", "tjh-2025-0019", "Patient/" + patient + "\"",
				"2024-05-01");
	}

	@Test
	void deidentifiedExportOfTheCase() throws InterruptedException {
		String patient = search("/Patient", "identifier=" + CASE + "|patient").then()
			.extract()
			.path("entry[0].resource.id");
		// The course's types: AuditEvents are written as requests arrive (these kick-offs
		// among them), so two exports moments apart hold different ones, and their times
		// are today's, which a shift of the course's dates may hit by chance.
		String course = "_type=Patient,Condition,Specimen,CarePlan,AdverseEvent,Composition,Consent,Observation,"
				+ "Procedure,MedicationAdministration,ResearchSubject";
		String plainPoll = kickOff("/Patient/" + patient + "/$export", course);
		String deidPoll = kickOff("/Patient/" + patient + "/$export", course, "_deidentify=true");
		Map<String, List<JsonPath>> plain = download(awaitManifest(plainPoll));
		Map<String, List<JsonPath>> deid = download(awaitManifest(deidPoll));

		assertThat(deid.keySet()).isEqualTo(plain.keySet())
			.contains("Patient", "Observation", "AdverseEvent", "Procedure");
		assertThat(deid.values().stream().mapToInt(List::size).sum())
			.isEqualTo(plain.values().stream().mapToInt(List::size).sum());
		List<String[]> original = strings(plain);
		List<String[]> output = strings(deid);
		String everything = String.join("\n", output.stream().map(s -> s[1]).toList());

		// Rule: no business identifier, resource id or name of the patient appears
		// anywhere.
		Set<String> identifiers = new HashSet<>();
		plain.values().forEach(list -> list.forEach(r -> {
			Object values = r.get("identifier.value"); // a list, or one value
														// (AdverseEvent.identifier is
														// 0..1 in R4)
			if (values instanceof List<?> many) {
				many.forEach(v -> identifiers.add(String.valueOf(v)));
			}
			else if (values instanceof String one) {
				identifiers.add(one);
			}
		}));
		assertThat(identifiers).contains("tjh-2025-0019", "obs-anc-day31");
		assertThat(output).noneMatch(s -> identifiers.contains(s[1]));
		assertThat(everything).doesNotContain("case-tjh-2025-0019");
		assertThat(output).noneMatch(s -> s[1].equals("Patient/" + patient));
		// Rule: free text is dropped (narratives and notes).
		assertThat(everything).doesNotContain("<div", "assumption");

		// Rule: no original date appears; every interval is kept (one constant shift).
		Set<String> originalDates = new HashSet<>();
		for (String[] s : original) {
			boolean patientDate = !"lastUpdated".equals(s[0]); // server time, not a date
																// of the patient
			if (patientDate && (DATE.matcher(s[1]).matches() || s[1].matches("\\d{4}-\\d{2}-\\d{2}T.*"))) {
				originalDates.add(s[1].length() > 10 ? s[1].substring(0, 10) : s[1]);
			}
		}
		assertThat(originalDates).contains("2024-05-01", "2024-04");
		for (String[] s : output) {
			Matcher m = DATE.matcher(s[1]);
			while (m.find()) {
				assertThat(originalDates).as("%s = %s", s[0], s[1]).doesNotContain(m.group());
			}
		}
		assertThat(dayOffsets(output)).isEqualTo(dayOffsets(original));
		String birth = deid.get("Patient").get(0).getString("birthDate");
		assertThat(birth).hasSize(4).isNotEqualTo(plain.get("Patient").get(0).getString("birthDate"));

		// Rule: references still resolve inside the export.
		Set<String> ids = new HashSet<>();
		deid.forEach((type, list) -> list.forEach(r -> ids.add(type + "/" + r.getString("id"))));
		List<String> references = output.stream().filter(s -> "reference".equals(s[0])).map(s -> s[1]).toList();
		assertThat(references).isNotEmpty();
		assertThat(references.stream().filter(r -> deid.containsKey(r.substring(0, r.indexOf('/'))))).isNotEmpty()
			.allSatisfy(r -> assertThat(ids).contains(r));
		String deidPatient = "Patient/" + deid.get("Patient").get(0).getString("id");
		assertThat(deid.get("Observation"))
			.allSatisfy(o -> assertThat(o.getString("subject.reference")).isEqualTo(deidPatient));
	}

}
