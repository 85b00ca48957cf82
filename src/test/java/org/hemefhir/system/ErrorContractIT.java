package org.hemefhir.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.stream.Stream;
import org.hemefhir.FhirIntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The error contract: every bad request gets a 4xx with an OperationOutcome that says
 * what is wrong, never a 500, a stack trace or an internal class name, and writes
 * nothing.
 */
class ErrorContractIT extends FhirIntegrationTest {

	/**
	 * Marker placed in every bad body, so a partial write would be found by searching for
	 * it.
	 */
	private static final String MARKER = "errorcontract" + Long.toHexString(System.nanoTime());

	private static final String PATIENT_PREFIX = "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + MARKER
			+ "\"}]," + "\"identifier\":[{\"system\":\"urn:test:mrn\",\"value\":\"" + MARKER + "\"}],";

	record BadRequest(String method, String path, String contentType, String body, Map<String, String> headers) {
		BadRequest(String method, String path, String contentType, String body) {
			this(method, path, contentType, body, Map.of());
		}

		BadRequest withHeader(String name, String value) {
			return new BadRequest(method, path, contentType, body, Map.of(name, value));
		}
	}

	static Stream<Arguments> badRequests() {
		String json = FHIR_JSON;
		String xml = FHIR_XML;
		return Stream.of(
				Arguments.of("malformed JSON", new BadRequest("POST", "/Patient", json, PATIENT_PREFIX + "\"gender\":"),
						400, "parse"),
				Arguments.of("JSON that is not an object", new BadRequest("POST", "/Patient", json, "[1,2,3]"), 400,
						"JSON"),
				Arguments.of("empty body", new BadRequest("POST", "/Patient", json, ""), 400, "content"),
				Arguments.of("malformed XML",
						new BadRequest("POST", "/Patient", xml,
								"<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"" + MARKER
										+ "\"/></name>"),
						400, "XML"),
				Arguments.of("resource type differs from the URL",
						new BadRequest("POST", "/Patient", json,
								"{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"" + MARKER
										+ "\"}}"),
						400, "Observation"),
				Arguments.of("update body id differs from the URL",
						new BadRequest("PUT", "/Patient/abc", json, PATIENT_PREFIX + "\"id\":\"xyz\"}"), 400, "id"),
				Arguments.of("unknown resource type",
						new BadRequest("POST", "/Foo", json, "{\"resourceType\":\"Foo\"}"), 404, "Foo"),
				Arguments.of("unknown resource type in search", new BadRequest("GET", "/Foo?name=x", null, null), 404,
						"Foo"),
				Arguments.of("unsupported media type",
						new BadRequest("POST", "/Patient", "text/csv", "family\n" + MARKER), 415, "text/csv"),
				Arguments.of("invalid id on update",
						new BadRequest("PUT", "/Patient/a_b", json, PATIENT_PREFIX + "\"id\":\"a_b\"}"), 400, "a_b"),
				Arguments.of("invalid id on read", new BadRequest("GET", "/Patient/" + "x".repeat(70), null, null), 400,
						"id"),
				Arguments.of("invalid date",
						new BadRequest("POST", "/Patient", json, PATIENT_PREFIX + "\"birthDate\":\"2024-13-45\"}"), 400,
						"birthDate"),
				Arguments.of("invalid code",
						new BadRequest("POST", "/Patient", json, PATIENT_PREFIX + "\"gender\":\"xyz\"}"), 400,
						"gender"),
				Arguments.of("wrong JSON type for an element",
						new BadRequest("POST", "/Patient", json, PATIENT_PREFIX + "\"active\":\"yes\"}"), 400,
						"active"),
				Arguments.of("unknown element",
						new BadRequest("POST", "/Patient", json, PATIENT_PREFIX + "\"colour\":\"blue\"}"), 400,
						"colour"),
				Arguments.of("reference to a resource that does not exist",
						new BadRequest("POST", "/Observation", json,
								"{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"" + MARKER
										+ "\"},\"subject\":{\"reference\":\"Patient/does-not-exist\"}}"),
						400, "Patient/does-not-exist"),
				Arguments.of("body over the size limit", new BadRequest("POST", "/Patient", json, PATIENT_PREFIX
						+ "\"text\":{\"status\":\"generated\",\"div\":\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">"
						+ "a".repeat(6 * 1024 * 1024) + "</div>\"}}"), 413, "max-request-bytes"),
				Arguments.of("XML with an external entity", new BadRequest("POST", "/Patient", xml,
						"<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"&xxe;"
								+ MARKER + "\"/></name></Patient>"),
						400, "DOCTYPE"),
				Arguments.of("XML with entity expansion", new BadRequest("POST", "/Patient", xml,
						"<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY a \"" + MARKER
								+ "\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"&b;\"/></name></Patient>"),
						400, "entity"),
				Arguments.of("type-level DELETE without criteria", new BadRequest("DELETE", "/Patient", null, null),
						400, "delete"),
				Arguments.of("transaction with one bad entry", new BadRequest("POST", "/", json,
						"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
								+ PATIENT_PREFIX
								+ "\"gender\":\"female\",\"birthDate\":\"1964\"},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}},"
								+ "{\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"},\"subject\":{\"reference\":\"Patient/does-not-exist\"}},\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}"),
						400, "Patient/does-not-exist"),
				Arguments.of("transaction entry without request",
						new BadRequest("POST", "/", json,
								"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
										+ PATIENT_PREFIX + "\"gender\":\"female\",\"birthDate\":\"1964\"}}]}"),
						400, "request.method"),
				Arguments.of("decimal beyond what the database can hold",
						new BadRequest("POST", "/Observation", json,
								"{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"" + MARKER
										+ "\"},\"valueQuantity\":{\"value\":1e400}}"),
						422, "Observation.value.ofType(Quantity).value"),
				Arguments.of("transaction with such a decimal in its second entry", new BadRequest("POST", "/", json,
						"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
								+ PATIENT_PREFIX
								+ "\"gender\":\"female\",\"birthDate\":\"1964\"},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}},"
								+ "{\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\""
								+ MARKER
								+ "\"},\"valueQuantity\":{\"value\":-1e400}},\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}"),
						422, "Bundle.entry[1].resource.value.ofType(Quantity).value"),
				Arguments.of("conditional create whose criteria the server cannot keep",
						new BadRequest("POST", "/Patient", json,
								PATIENT_PREFIX.replace(MARKER + "\"}],", MARKER + "x".repeat(1000) + "\"}],")
										+ "\"gender\":\"female\"}")
							.withHeader("If-None-Exist", "identifier=urn:test:mrn|" + MARKER + "x".repeat(1000)),
						400, "at most 768"),
				Arguments.of("the same inside a transaction", new BadRequest("POST", "/", json,
						"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
								+ PATIENT_PREFIX + "\"gender\":\"female\"},"
								+ "\"request\":{\"method\":\"POST\",\"url\":\"Patient\",\"ifNoneExist\":\"identifier=urn:test:mrn|"
								+ "y".repeat(1000) + "\"}}]}"),
						400, "Bundle.entry[0].request.ifNoneExist"),
				Arguments.of("$everything since a time (HAPI would ignore it)",
						new BadRequest("GET", "/Patient/$everything?_since=2024-04-01T00:00:00Z", null, null), 400,
						"$export with _since"),
				Arguments.of("$everything with a clinical date range",
						new BadRequest("GET", "/Patient/$everything?start=2024-01-01", null, null), 400, "start"),
				Arguments.of("$everything with a negative page size",
						new BadRequest("GET", "/Patient/$everything?_count=-5", null, null), 400, "_count"),
				Arguments.of("operation parameter of the wrong type",
						new BadRequest("GET", "/Observation/$lastn?max=abc", null, null), 400, "Parameter max"),
				Arguments.of("unclear de-identification flag on an export",
						new BadRequest("GET", "/$export?_deidentify=yes", null, null).withHeader("Prefer",
								"respond-async"),
						400, "_deidentify must be true or false"),
				Arguments.of("export poll without a job id", new BadRequest("GET", "/$export-poll-status", null, null),
						400, "_jobId"),
				Arguments.of("invalid search parameter value",
						new BadRequest("GET", "/Observation?date=notadate", null, null), 400, "notadate"),
				Arguments.of("unknown search parameter, strict handling asked for",
						new BadRequest("GET", "/Patient?colour=blue", null, null).withHeader("Prefer",
								"handling=strict"),
						400, "colour"),
				Arguments.of("invalid _count", new BadRequest("GET", "/Patient?_count=many", null, null), 400,
						"_count"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badRequests")
	void badRequestGetsA4xxOperationOutcome(String name, BadRequest bad, int expectedStatus, String mentions) {
		Response response = send(bad);
		String body = response.asString();

		assertThat(response.statusCode()).as(name + ": " + body).isEqualTo(expectedStatus);
		assertThat(response.contentType()).startsWith("application/fhir+");
		assertThat(body).contains("OperationOutcome");
		assertThat(body).as("the message says what is wrong").containsIgnoringCase(mentions);
		assertThat(body).as("no stack trace or class name")
			.doesNotContainPattern("\\bat [a-z]+\\.[a-z]+\\.[A-Za-z.$]+\\(")
			.doesNotContainPattern(
					"\\b(java|javax|jakarta|org\\.hibernate|org\\.springframework|com\\.fasterxml|ca\\.uhn)\\.[a-z]+\\.")
			.doesNotContain("Exception");

		fhir().get("/Patient?family=" + MARKER + "&_summary=count").then().body("total", equalTo(0));
		fhir().get("/Observation?code:text=" + MARKER + "&_summary=count").then().body("total", equalTo(0));
	}

	@Test
	void theServerKeepsServingAfterBadInput() {
		badRequests().forEach(args -> send((BadRequest) args.get()[1]));
		fhir().get("/metadata").then().statusCode(200);
		String id = createPatient(unique("after-errors"));
		fhir().get("/Patient/" + id).then().statusCode(200);
	}

	@Test
	void conditionalDeleteWithCriteriaStillWorks() {
		String mrn = unique("cond-delete");
		String id = createPatient(mrn);
		fhir().delete("/Patient?identifier=urn:test:mrn|" + mrn).then().statusCode(200);
		fhir().get("/Patient/" + id).then().statusCode(410);
	}

	private static Response send(BadRequest bad) {
		RequestSpecification request = given().accept(FHIR_JSON);
		if (bad.contentType() != null) {
			request = request.contentType(bad.contentType() + ";charset=UTF-8");
		}
		if (bad.body() != null) {
			request = request.body(bad.body());
		}
		request = request.headers(bad.headers());
		return request.request(bad.method(), bad.path());
	}

}
