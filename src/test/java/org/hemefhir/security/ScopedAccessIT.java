package org.hemefhir.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.UUID;
import org.hemefhir.SmartServer;
import org.hemefhir.TestTokens;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scopes beyond plain type access, on the shared smart-mode server: SMART v2 search
 * restrictions, bulk export under read scopes (types, the patient, the client that
 * started the job, the de-identified-only scope) and the audit trail that wildcards do
 * not reach.
 */
class ScopedAccessIT {

	private static final String CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";

	private static final SmartServer server = SmartServer.get();

	private static final TestTokens tokens = server.tokens();

	private static String patient;

	private static String otherPatient;

	private static String lab;

	private static String vital;

	private static String labDerivedFromVital;

	private static String auditEvent;

	@BeforeAll
	static void data() {
		String admin = tokens.token(Grants.ADMIN_SCOPE);
		patient = created(server.as(admin).body(patientJson()).post("/Patient"));
		otherPatient = created(server.as(admin).body(patientJson()).post("/Patient"));
		vital = created(server.as(admin).body(observationJson(patient, "vital-signs", null)).post("/Observation"));
		lab = created(server.as(admin).body(observationJson(patient, "laboratory", null)).post("/Observation"));
		labDerivedFromVital = created(
				server.as(admin).body(observationJson(patient, "laboratory", vital)).post("/Observation"));
		auditEvent = created(server.as(admin).body("""
				{"resourceType":"AuditEvent",
				 "type":{"system":"http://terminology.hl7.org/CodeSystem/audit-event-type","code":"rest"},
				 "recorded":"2025-01-10T08:00:00Z",
				 "agent":[{"requestor":true,"who":{"reference":"Patient/%s"}}],
				 "source":{"observer":{"display":"ScopedAccessIT"}},
				 "entity":[{"what":{"reference":"Patient/%s"}}]}""".formatted(patient, patient)).post("/AuditEvent"));
	}

	// v2 search restrictions

	@Test
	void aRestrictedReaderReadsMatchingResourcesOnly() {
		RequestSpecification labReader = server.with("system/Observation.rs?category=laboratory");
		assertThat(labReader.get("/Observation/" + lab).statusCode()).isEqualTo(200);
		assertForbidden(server.with("system/Observation.rs?category=laboratory").get("/Observation/" + vital));
		assertForbidden(
				server.with("system/Observation.rs?category=laboratory").get("/Observation/" + vital + "/_history"));
		assertForbidden(
				server.with("system/Observation.rs?category=laboratory").get("/Observation/" + vital + "/_history/1"));
	}

	@Test
	void aRestrictedSearchIsNarrowedToTheRestriction() {
		String scope = "system/Observation.rs?category=laboratory";
		Response withCategory = server.with(scope)
			.get("/Observation?subject=Patient/" + patient + "&category=laboratory");
		assertThat(withCategory.statusCode()).as(withCategory.asString()).isEqualTo(200);
		assertThat(ids(withCategory)).contains(lab, labDerivedFromVital).doesNotContain(vital);
		// without the category: the restriction is added, the vital sign is not returned
		Response without = server.with(scope).get("/Observation?subject=Patient/" + patient);
		assertThat(without.statusCode()).as(without.asString()).isEqualTo(200);
		assertThat(ids(without)).contains(lab).doesNotContain(vital);
		Response byId = server.with(scope).get("/Observation?_id=" + vital);
		assertThat(byId.statusCode()).isEqualTo(200);
		assertThat(ids(byId)).isEmpty();
		Response otherCategory = server.with(scope)
			.get("/Observation?subject=Patient/" + patient + "&category=vital-signs");
		assertThat(ids(otherCategory)).isEmpty();
		// an _include that would return the non-matching Observation is refused as a
		// whole
		assertForbidden(server.with(scope)
			.get("/Observation?_id=" + labDerivedFromVital + "&_include=Observation:derived-from"));
		// $everything returns the vital sign too: refused
		assertForbidden(server.with(scope + " system/Patient.rs").get("/Patient/" + patient + "/$everything"));
		// a type-level _history is not narrowed: it would return the vital sign
		assertForbidden(server.with(scope).get("/Observation/_history"));
		// without the restriction, the same searches see everything (the comparison)
		assertThat(ids(server.with("system/Observation.rs").get("/Observation?subject=Patient/" + patient)))
			.contains(lab, vital);
	}

	@Test
	void aPatientScopeWithASystemQualifiedRestriction() {
		String scope = "patient/Observation.rs?category=" + CATEGORY + "|laboratory";
		String own = tokens.signed(tokens.claims(scope).claim("patient", patient).build());
		assertThat(server.as(own).get("/Observation/" + lab).statusCode()).isEqualTo(200);
		assertForbidden(server.as(own).get("/Observation/" + vital));
		Response search = server.as(own).get("/Observation?subject=Patient/" + patient);
		assertThat(search.statusCode()).as(search.asString()).isEqualTo(200);
		assertThat(ids(search)).contains(lab).doesNotContain(vital);
		assertForbidden(server.as(own).get("/Observation?subject=Patient/" + otherPatient));
	}

	@Test
	void aRestrictedWriterWritesMatchingResourcesOnly() {
		String scope = "system/Observation.cu?category=laboratory";
		String id = created(server.with(scope).body(observationJson(patient, "laboratory", null)).post("/Observation"));
		assertForbidden(server.with(scope).body(observationJson(patient, "vital-signs", null)).post("/Observation"));
		// an update must match before and after
		String kept = withId(observationJson(patient, "laboratory", null), id);
		assertThat(server.with(scope).body(kept).put("/Observation/" + id).statusCode()).isEqualTo(200);
		assertForbidden(server.with(scope)
			.body(withId(observationJson(patient, "vital-signs", null), id))
			.put("/Observation/" + id));
		assertForbidden(server.with(scope)
			.body(withId(observationJson(patient, "laboratory", null), vital))
			.put("/Observation/" + vital));
		assertForbidden(server.with("system/Observation.cud?category=laboratory").delete("/Observation/" + vital));
	}

	@Test
	void aRestrictionTheServerCannotEvaluateRefusesTheToken() {
		Response chained = server.with("system/Observation.rs?subject.name=Smith").get("/Observation/" + lab);
		assertForbidden(chained);
		assertThat(chained.jsonPath().getString("issue[0].diagnostics")).contains("cannot enforce");
	}

	// bulk export

	@Test
	void aResearchTokenExportsTheTypesItReadsAndOnlyItsClientSeesTheJob() throws Exception {
		String scopes = "system/Patient.rs system/Observation.rs";
		String research = tokens.token(scopes);
		assertForbidden(kickOff(research, "/$export", "_type=Patient,Specimen"));
		assertForbidden(kickOff(research, "/Patient/$export", "_type=Condition"));
		assertThat(kickOff(research, "/$export", "_type=Patient,Observation").statusCode()).isEqualTo(202);
		// without _type: only the types its scopes read
		Response started = kickOff(research, "/$export");
		assertThat(started.statusCode()).as(started.asString()).isEqualTo(202);
		String poll = started.header("Content-Location");
		String otherClient = tokens.signed(tokens.claims(scopes).claim("client_id", "other-client").build());
		assertThat(given().header("Authorization", "Bearer " + otherClient).get(poll).statusCode()).isEqualTo(404);
		JsonPath manifest = awaitManifest(research, poll);
		assertThat(manifest.getList("output.type", String.class)).isNotEmpty()
			.allSatisfy(type -> assertThat(type).isIn("Patient", "Observation"));
		String file = manifest.getString("output[0].url");
		assertThat(given().header("Authorization", "Bearer " + research)
			.accept("application/fhir+ndjson")
			.get(file)
			.statusCode()).isEqualTo(200);
		Response stolen = given().header("Authorization", "Bearer " + otherClient)
			.accept("application/fhir+json")
			.get(file);
		assertThat(stolen.statusCode()).as(stolen.asString()).isEqualTo(403);
		assertThat(given().header("Authorization", "Bearer " + otherClient).get(poll).statusCode()).isEqualTo(404);
		// even the widest read scope of another client does not open the files
		assertThat(
				given()
					.header("Authorization",
							"Bearer " + tokens
								.signed(tokens.claims("system/*.rs").claim("client_id", "other-client").build()))
					.accept("application/fhir+json")
					.get(file)
					.statusCode())
			.isEqualTo(403);
	}

	@Test
	void exportNeedsWholeTypesAndAPatientTokenExportsItsOwnPatient() {
		assertForbidden(
				kickOff(tokens.token("system/Observation.rs?category=laboratory"), "/$export", "_type=Observation"));
		assertForbidden(kickOff(tokens.token("system/Observation.cu"), "/$export", "_type=Observation"));
		assertForbidden(kickOff(tokens.token("system/*.rs"), "/$export", "_type=AuditEvent"));
		String own = tokens.signed(tokens.claims("patient/*.rs").claim("patient", patient).build());
		Response mine = kickOff(own, "/Patient/" + patient + "/$export", "_type=Observation");
		assertThat(mine.statusCode()).as(mine.asString()).isEqualTo(202);
		assertForbidden(kickOff(own, "/Patient/" + otherPatient + "/$export", "_type=Observation"));
		assertForbidden(kickOff(own, "/$export", "_type=Observation"));
	}

	@Test
	void theDeidentifiedExportScopeExportsDeidentifiedDataOnly() throws Exception {
		String researcher = tokens.token(Grants.DEIDENTIFIED_EXPORT_SCOPE + " system/*.rs");
		Response plain = kickOff(researcher, "/$export", "_type=Patient");
		assertForbidden(plain);
		assertThat(plain.jsonPath().getString("issue[0].diagnostics")).contains("de-identified export only");
		assertForbidden(kickOff(researcher, "/$export", "_type=Patient", "_deidentify=false"));
		assertForbidden(server.as(researcher).get("/Patient/" + patient));
		assertForbidden(server.as(researcher).get("/Patient?_id=" + patient));
		assertForbidden(server.as(researcher).get("/Patient/" + patient + "/$everything"));
		Response started = kickOff(researcher, "/$export", "_type=Patient", "_deidentify=true");
		assertThat(started.statusCode()).as(started.asString()).isEqualTo(202);
		JsonPath manifest = awaitManifest(researcher, started.header("Content-Location"));
		String file = manifest.getString("output[0].url");
		String ndjson = given().header("Authorization", "Bearer " + researcher)
			.accept("application/fhir+ndjson")
			.get(file)
			.then()
			.statusCode(200)
			.extract()
			.asString();
		assertThat(ndjson).contains("\"resourceType\":\"Patient\"").doesNotContain(patient);
	}

	// the audit trail

	@Test
	void auditEventsNeedAScopeThatNamesThem() {
		assertForbidden(server.with("system/*.rs").get("/AuditEvent"));
		assertForbidden(server.with("system/*.cruds").get("/AuditEvent/" + auditEvent));
		assertForbidden(server.with("system/*.rs").get("/Patient?_id=" + patient + "&_revinclude=AuditEvent:patient"));
		// $everything is the record without its audit trail, even for a token that may
		// read it
		Response everything = server.with("system/*.rs").get("/Patient/" + patient + "/$everything");
		assertThat(everything.statusCode()).as(everything.asString()).isEqualTo(200);
		assertThat(ids(everything)).contains(patient, lab).doesNotContain(auditEvent);
		assertThat(ids(server.with("system/*.rs system/AuditEvent.rs").get("/Patient/" + patient + "/$everything")))
			.contains(patient)
			.doesNotContain(auditEvent);
		assertThat(ids(server.with("system/AuditEvent.rs").get("/AuditEvent?patient=" + patient))).contains(auditEvent);
		for (String scope : List.of("system/AuditEvent.rs", "user/AuditEvent.rs", "system/AuditEvent.read")) {
			Response search = server.with(scope).get("/AuditEvent?_id=" + auditEvent);
			assertThat(search.statusCode()).as(scope + ": " + search.asString()).isEqualTo(200);
			assertThat(ids(search)).containsExactly(auditEvent);
			assertThat(server.with(scope).get("/AuditEvent/" + auditEvent).statusCode()).isEqualTo(200);
		}
	}

	@Test
	void noScopeButAdminWritesAuditEvents() {
		String audit = server.with("system/AuditEvent.rs").get("/AuditEvent/" + auditEvent).asString();
		for (String scope : List.of("system/AuditEvent.cruds", "system/*.cruds", "user/AuditEvent.write",
				"system/AuditEvent.*")) {
			assertForbidden(
					server.with(scope).body(audit.replaceFirst("\"id\"\\s*:\\s*\"[^\"]+\",", "")).post("/AuditEvent"));
			assertForbidden(server.with(scope).body(audit).put("/AuditEvent/" + auditEvent));
			assertForbidden(server.with(scope).delete("/AuditEvent/" + auditEvent));
		}
		assertThat(server.with("system/AuditEvent.rs").get("/AuditEvent/" + auditEvent).statusCode()).isEqualTo(200);
	}

	private static Response kickOff(String token, String path, String... parameters) {
		RequestSpecification request = server.as(token).header("Prefer", "respond-async");
		for (String parameter : parameters) {
			int eq = parameter.indexOf('=');
			request = request.queryParam(parameter.substring(0, eq), parameter.substring(eq + 1));
		}
		return request.get(path);
	}

	private static JsonPath awaitManifest(String token, String poll) throws InterruptedException {
		for (int i = 0; i < 240; i++) {
			Response response = given().header("Authorization", "Bearer " + token)
				.accept("application/fhir+json")
				.get(poll);
			if (response.statusCode() == 200) {
				return response.jsonPath();
			}
			assertThat(response.statusCode()).as(response.asString()).isEqualTo(202);
			Thread.sleep(500);
		}
		throw new AssertionError("the export did not finish in two minutes");
	}

	private static List<String> ids(Response bundle) {
		List<String> ids = bundle.jsonPath().getList("entry.resource.id");
		return ids == null ? List.of() : ids;
	}

	private static String created(Response response) {
		assertThat(response.statusCode()).as(response.asString()).isEqualTo(201);
		return response.jsonPath().getString("id");
	}

	private static void assertForbidden(Response response) {
		assertThat(response.statusCode()).as(response.asString()).isEqualTo(403);
		assertThat(response.jsonPath().getString("resourceType")).isEqualTo("OperationOutcome");
	}

	private static String withId(String json, String id) {
		return json.replaceFirst("\\{\"resourceType\":\"Observation\",",
				"{\"resourceType\":\"Observation\",\"id\":\"" + id + "\",");
	}

	private static String patientJson() {
		return """
				{"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"%s"}],
				 "gender":"female","birthDate":"1964"}""".formatted(UUID.randomUUID());
	}

	private static String observationJson(String subject, String category, String derivedFrom) {
		return """
				{"resourceType":"Observation","status":"final",
				 "category":[{"coding":[{"system":"%s","code":"%s"}]}],
				 "code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},
				 "subject":{"reference":"Patient/%s"},"effectiveDateTime":"2025-01-10T08:00:00Z",%s
				 "valueQuantity":{"value":36.8,"unit":"Cel","system":"http://unitsofmeasure.org","code":"Cel"}}"""
			.formatted(CATEGORY, category, subject, derivedFrom == null ? ""
					: "\"derivedFrom\":[{\"reference\":\"Observation/" + derivedFrom + "\"}],");
	}

}
