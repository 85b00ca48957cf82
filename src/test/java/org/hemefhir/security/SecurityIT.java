package org.hemefhir.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import org.hemefhir.SmartServer;
import org.hemefhir.TestTokens;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server in {@code smart} mode, trusting a test issuer whose keys it reads from a
 * JWKS file: which tokens are refused (401), which scopes allow what (403 otherwise), and
 * that the public paths stay public.
 */
class SecurityIT {

	private static final TestTokens tokens = SmartServer.get().tokens();

	private static int port;

	private static String patient;

	private static String observation;

	private static String otherPatient;

	private static String otherMrn;

	private static String otherObservation;

	@BeforeAll
	static void start() throws Exception {
		port = SmartServer.get().port();
		String admin = tokens.token(Grants.ADMIN_SCOPE);
		patient = as(admin).body("""
				{"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"%s"}],
				 "gender":"female","birthDate":"1964"}""".formatted(UUID.randomUUID()))
			.post("/Patient")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		observation = as(admin).body(observationJson())
			.post("/Observation")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		otherMrn = UUID.randomUUID().toString();
		otherPatient = as(admin).body("""
				{"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"%s"}],
				 "gender":"male","birthDate":"1970"}""".formatted(otherMrn))
			.post("/Patient")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		otherObservation = as(admin).body(observationJson().replace(patient, otherPatient))
			.post("/Observation")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
	}

	@Test
	void publicPathsNeedNoToken() {
		Response metadata = anonymous().get("/metadata");
		assertThat(metadata.statusCode()).isEqualTo(200);
		assertThat(metadata.jsonPath().getString("rest[0].security.service[0].coding[0].code"))
			.isEqualTo("SMART-on-FHIR");
		Response smart = anonymous().get("/.well-known/smart-configuration");
		assertThat(smart.statusCode()).isEqualTo(200);
		assertThat(smart.jsonPath().getString("token_endpoint")).isEqualTo("https://idp.test/realms/hemefhir/token");
		// users sign in at the external identity provider
		assertThat(smart.jsonPath().getString("authorization_endpoint"))
			.isEqualTo("https://idp.test/realms/hemefhir/auth");
		assertThat(smart.jsonPath().getList("grant_types_supported")).contains("authorization_code");
		assertThat(smart.jsonPath().getList("token_endpoint_auth_methods_supported"))
			.containsExactly("private_key_jwt");
		assertThat(metadata.asString()).contains("\"authorize\"", "https://idp.test/realms/hemefhir/auth");
		// the viewer's page and its settings are public: they hold no data
		Response viewer = given().port(port).basePath("/").get("/viewer/config.json");
		assertThat(viewer.statusCode()).isEqualTo(200);
		assertThat(viewer.jsonPath().getString("security")).isEqualTo("smart");
		assertThat(viewer.jsonPath().getString("fhirBase")).isEqualTo(TestTokens.AUDIENCE);
		assertThat(smart.jsonPath().getList("capabilities")).contains("client-confidential-asymmetric",
				"permission-v2");
		assertThat(given().port(port).basePath("/").get("/actuator/health").statusCode()).isEqualTo(200);
		assertThat(given().port(port).basePath("/").redirects().follow(false).get("/ig/").statusCode()).isNotIn(401,
				403);
	}

	@Test
	void noTokenIs401WithAChallengeAndAnOutcome() {
		Response response = anonymous().get("/Patient/" + patient);
		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
		assertThat(response.jsonPath().getString("resourceType")).isEqualTo("OperationOutcome");
		assertThat(response.jsonPath().getString("issue[0].diagnostics")).contains("none was sent");
		assertThat(anonymous().body("[]").post("/Observation").statusCode()).isEqualTo(401);
		assertThat(given().port(port)
			.basePath("/")
			.contentType("application/hl7-v2")
			.body("MSH|^~\\&|".getBytes())
			.post("/hl7v2")
			.statusCode()).isEqualTo(401);
	}

	@Test
	void badTokensAre401SayingWhy() {
		String scope = "system/*.rs";
		Instant now = Instant.now();
		assertRefused(tokens.signed(tokens.claims(scope)
			.issueTime(Date.from(now.minusSeconds(900)))
			.expirationTime(Date.from(now.minusSeconds(120)))
			.notBeforeTime(Date.from(now.minusSeconds(600)))
			.build()), "it has expired");
		assertRefused(tokens.signed(tokens.claims(scope).notBeforeTime(Date.from(now.plusSeconds(600))).build()),
				"it is not valid yet");
		assertRefused(tokens.signed(tokens.claims(scope).issuer("https://evil.test").build()),
				"it was issued by another issuer");
		assertRefused(tokens.signed(tokens.claims(scope).audience("https://other.test/fhir").build()),
				"it is meant for another audience");
		assertRefused(
				tokens.signed(new JWTClaimsSet.Builder(tokens.claims(scope).build()).expirationTime(null).build()),
				"no expiry");
		assertRefused(tokens.signedByStranger(scope), "signature, algorithm or format");
		assertRefused(tokens.unsigned(scope), "signature, algorithm or format");
		assertRefused(tokens.hmacWithPublicKey(scope), "signature, algorithm or format");
		assertRefused("not-a-jwt", "signature, algorithm or format");
		// the good one for comparison
		assertThat(as(tokens.token(scope)).get("/Patient/" + patient).statusCode()).isEqualTo(200);
	}

	@Test
	void aReaderOfObservationsSearchesThemAndNothingElse() {
		String reader = tokens.token("system/Observation.rs");
		assertThat(as(reader).get("/Observation?subject=Patient/" + patient).statusCode()).isEqualTo(200);
		assertThat(as(reader).get("/Observation/" + observation).statusCode()).isEqualTo(200);
		assertForbidden(as(reader).get("/Patient/" + patient));
		assertForbidden(as(reader).get("/Patient?_id=" + patient));
		// an _include would return a Patient: refused as a whole
		assertForbidden(as(reader).get("/Observation?_id=" + observation + "&_include=Observation:subject"));
		assertForbidden(as(reader).get("/Patient?_id=" + patient + "&_revinclude=Observation:subject"));
		assertForbidden(as(reader).body(observationJson()).post("/Observation"));
		assertForbidden(as(reader).get("/Patient/" + patient + "/$everything"));
	}

	@Test
	void v2ScopesTellReadFromSearch() {
		String readOnly = tokens.token("system/Observation.r");
		assertThat(as(readOnly).get("/Observation/" + observation).statusCode()).isEqualTo(200);
		assertForbidden(as(readOnly).get("/Observation?_id=" + observation));
		String searchOnly = tokens.token("system/Observation.s");
		assertThat(as(searchOnly).get("/Observation?_id=" + observation).statusCode()).isEqualTo(200);
		assertForbidden(as(searchOnly).get("/Observation/" + observation));
	}

	@Test
	void anEhrPushesObservationsButReadsNothing() {
		String ehr = tokens.token("system/Observation.cu");
		assertThat(as(ehr).body(observationJson()).post("/Observation").statusCode()).isEqualTo(201);
		assertForbidden(as(ehr).get("/Observation?_id=" + observation));
		assertForbidden(as(ehr).get("/Patient/" + patient));
		assertForbidden(as(ehr).delete("/Observation/" + observation));
		// a transaction is checked entry by entry; a Patient in it is refused and nothing
		// is written
		String mrn = UUID.randomUUID().toString();
		Response transaction = as(ehr)
			.body("""
					{"resourceType":"Bundle","type":"transaction","entry":[
					 {"resource":%s,"request":{"method":"POST","url":"Observation"}},
					 {"resource":{"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"%s"}],
					  "gender":"female","birthDate":"1964"},"request":{"method":"POST","url":"Patient"}}]}"""
				.formatted(observationJson(), mrn))
			.post("");
		assertForbidden(transaction);
		assertThat(as(tokens.token("system/Patient.s")).get("/Patient?identifier=urn:test:mrn|" + mrn)
			.jsonPath()
			.getList("entry")).isNullOrEmpty();
		// create without update: an update is refused
		String createOnly = tokens.token("system/Observation.c");
		String id = as(createOnly).body(observationJson())
			.post("/Observation")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		assertForbidden(as(createOnly)
			.body(observationJson().replace("{\"resourceType\":\"Observation\",",
					"{\"resourceType\":\"Observation\",\"id\":\"" + id + "\","))
			.put("/Observation/" + id));
	}

	@Test
	void v1ScopesStillWork() {
		String research = tokens.token("system/*.read");
		assertThat(as(research).get("/Patient?_id=" + patient).statusCode()).isEqualTo(200);
		assertThat(as(research).get("/Patient/" + patient + "/$everything").statusCode()).isEqualTo(200);
		assertForbidden(as(research).body(observationJson()).post("/Observation"));
		String writer = tokens.token("system/Observation.write");
		assertThat(as(writer).body(observationJson()).post("/Observation").statusCode()).isEqualTo(201);
	}

	@Test
	void patientScopesWithoutAPatientClaimGrantNothing() {
		// refused rather than widened
		assertForbidden(as(tokens.token("patient/*.rs")).get("/Patient/" + patient));
		assertForbidden(as(tokens.token("patient/*.rs")).get("/Observation?_id=" + observation));
	}

	@Test
	void aPatientTokenReachesItsOwnCompartmentOnly() {
		String own = tokens.signed(tokens.claims("patient/*.rs").claim("patient", patient).build());
		assertThat(as(own).get("/Patient/" + patient).statusCode()).isEqualTo(200);
		Response mine = as(own).get("/Observation?subject=Patient/" + patient);
		assertThat(mine.statusCode()).as(mine.asString()).isEqualTo(200);
		assertThat(mine.jsonPath().getList("entry.resource.id")).contains(observation);
		assertThat(as(own).get("/Patient/" + patient + "/$everything").statusCode()).isEqualTo(200);
		assertThat(
				as(own).get("/Observation?subject=Patient/" + patient + "&_include=Observation:subject").statusCode())
			.isEqualTo(200);
		// the other patient, by every path
		assertForbidden(as(own).get("/Patient/" + otherPatient));
		assertForbidden(as(own).get("/Observation/" + otherObservation));
		assertForbidden(as(own).get("/Observation?subject=Patient/" + otherPatient));
		assertForbidden(as(own).get("/Observation?_id=" + otherObservation));
		assertForbidden(as(own).get("/Observation?subject.identifier=urn:test:mrn|" + otherMrn));
		assertForbidden(as(own).get("/Patient?_id=" + otherPatient + "&_revinclude=Observation:subject"));
		assertForbidden(as(own).get("/Patient/" + otherPatient + "/$everything"));
		assertForbidden(as(own).get("/Observation/" + otherObservation + "/_history"));
		assertForbidden(as(own).get("/Observation/_history"));
		assertForbidden(as(own).header("Prefer", "respond-async").get("/Patient/$export"));
		assertForbidden(as(own).header("Prefer", "respond-async").get("/$export"));
		// writes only into the compartment
		String writer = tokens.signed(tokens.claims("patient/Observation.c").claim("patient", patient).build());
		assertThat(as(writer).body(observationJson()).post("/Observation").statusCode()).isEqualTo(201);
		assertForbidden(as(writer).body(observationJson().replace(patient, otherPatient)).post("/Observation"));
	}

	@Test
	void aValidatorValidatesOnly() {
		String validator = tokens.token(Grants.VALIDATE_SCOPE);
		Response validated = as(validator).body(observationJson()).post("/Observation/$validate");
		assertThat(validated.statusCode()).as(validated.asString()).isEqualTo(200);
		assertForbidden(as(validator).get("/Observation/" + observation));
		assertForbidden(as(validator).body(observationJson()).post("/Observation"));
		assertForbidden(
				as(tokens.token("system/Observation.rs")).body(observationJson()).post("/Observation/$validate"));
	}

	@Test
	void administrativeOperationsNeedTheAdminScope() {
		String everything = tokens.token("system/*.cruds");
		String admin = tokens.token(Grants.ADMIN_SCOPE);
		String marker = UUID.randomUUID().toString();
		String doomed = as(admin).body(observationJson().replace("\"status\":\"final\"",
				"\"status\":\"final\",\"identifier\":[{\"system\":\"urn:test:doomed\",\"value\":\"" + marker + "\"}]"))
			.post("/Observation")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		assertForbidden(as(everything).delete("/Observation?identifier=urn:test:doomed|" + marker));
		assertThat(as(admin).get("/Observation/" + doomed).statusCode()).as("not deleted").isEqualTo(200);
		assertForbidden(
				as(everything).body("{\"resourceType\":\"Parameters\"}").post("/$mark-all-resources-for-reindexing"));
		Response byAdmin = as(admin).delete("/Observation?identifier=urn:test:doomed|" + marker);
		assertThat(byAdmin.statusCode()).as(byAdmin.asString()).isBetween(200, 204);
		assertThat(as(admin).get("/Observation/" + doomed).statusCode()).isEqualTo(410);
	}

	@Test
	void hl7v2NeedsWriteScopesForWhatAMessageCreates() {
		String message = "MSH|^~\\&|LAB|LAB|HEMEFHIR|H|20250110080000||ORU^R01|SEC-1|P|2.5.1\r";
		assertThat(postV2(tokens.token("system/Observation.cu"), message).statusCode()).isEqualTo(403);
		Response allowed = postV2(tokens.token("system/Observation.cu system/Specimen.cu"), message);
		assertThat(allowed.statusCode()).as(allowed.asString()).isNotIn(401, 403);
		assertThat(allowed.asString()).contains("MSA|");
	}

	private static Response postV2(String token, String message) {
		return given().port(port)
			.header("Authorization", "Bearer " + token)
			.basePath("/")
			.contentType("application/hl7-v2")
			.body(message.getBytes(java.nio.charset.StandardCharsets.UTF_8))
			.post("/hl7v2");
	}

	private static void assertRefused(String token, String reason) {
		Response response = as(token).get("/Patient/" + patient);
		assertThat(response.statusCode()).as(reason + ": " + response.asString()).isEqualTo(401);
		assertThat(response.header("WWW-Authenticate")).contains("invalid_token");
		assertThat(response.jsonPath().getString("issue[0].diagnostics")).contains(reason);
	}

	private static void assertForbidden(Response response) {
		assertThat(response.statusCode()).as(response.asString()).isEqualTo(403);
		assertThat(response.jsonPath().getString("resourceType")).isEqualTo("OperationOutcome");
	}

	private static RequestSpecification anonymous() {
		return given().port(port)
			.basePath("/fhir")
			.contentType("application/fhir+json")
			.accept("application/fhir+json");
	}

	private static RequestSpecification as(String token) {
		return anonymous().header("Authorization", "Bearer " + token);
	}

	private static String observationJson() {
		return """
				{"resourceType":"Observation","status":"final",
				 "code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},
				 "subject":{"reference":"Patient/%s"},"effectiveDateTime":"2025-01-10T08:00:00Z",
				 "valueQuantity":{"value":36.8,"unit":"Cel","system":"http://unitsofmeasure.org","code":"Cel"}}"""
			.formatted(patient);
	}

}
