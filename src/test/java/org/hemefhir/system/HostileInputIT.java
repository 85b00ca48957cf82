package org.hemefhir.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.hemefhir.FhirIntegrationTest;
import org.hemefhir.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What clients' bugs and attackers send: each hostile request is answered within a bound
 * with a 4xx OperationOutcome that says what is wrong and where, nothing is written, and
 * the server then still answers an ordinary read at its usual speed. The limits are the
 * defaults of {@link LimitsProperties}.
 */
class HostileInputIT extends FhirIntegrationTest {

	/**
	 * Every refusal here comes from a check that reads the request once; seconds would
	 * mean it did not.
	 */
	private static final Duration BOUND = Duration.ofSeconds(5);

	private static final String MARKER = "hostile" + Long.toHexString(System.nanoTime());

	private static String observation(String extra) {
		return "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"" + MARKER + "\"}" + extra
				+ "}";
	}

	private static String nestedExtensions(int depth) {
		StringBuilder json = new StringBuilder();
		for (int i = 0; i < depth; i++) {
			json.append("{\"url\":\"urn:test:e\",\"extension\":[");
		}
		json.append("{\"url\":\"urn:test:e\",\"valueString\":\"v\"}");
		json.append("]}".repeat(depth));
		return json.toString();
	}

	private static String manyNotes(int notes) {
		StringBuilder json = new StringBuilder(",\"note\":[");
		for (int i = 0; i < notes; i++) {
			json.append(i == 0 ? "" : ",").append("{\"text\":\"n\"}");
		}
		return json.append(']').toString();
	}

	private static String xmlObservation(String inside) {
		return "<Observation xmlns=\"http://hl7.org/fhir\"><status value=\"final\"/><code><text value=\"" + MARKER
				+ "\"/></code>" + inside + "</Observation>";
	}

	static Stream<Arguments> hostileBodies() {
		String digits = "1" + "0".repeat(5000);
		return Stream.of(
				Arguments.of("decimal with a huge exponent (pinned a core for minutes)", FHIR_JSON,
						observation(",\"valueQuantity\":{\"value\":1e999999}"), 422, "Observation.valueQuantity.value",
						"outside the range"),
				Arguments.of("decimal with a huge negative exponent", FHIR_JSON,
						observation(",\"valueQuantity\":{\"value\":1e-999999}"), 422, "Observation.valueQuantity.value",
						"1000 digits"),
				Arguments.of("zero with a huge exponent", FHIR_JSON,
						observation(",\"valueQuantity\":{\"value\":0e-99999999}"), 422,
						"Observation.valueQuantity.value", "1000 digits"),
				Arguments.of("decimal of 5,000 digits", FHIR_JSON,
						observation(",\"valueQuantity\":{\"value\":" + digits + "}"), 422,
						"Observation.valueQuantity.value", "outside the range"),
				Arguments.of("such a decimal in an extension of a transaction entry", FHIR_JSON,
						"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
								+ observation(",\"extension\":[{\"url\":\"urn:test:d\",\"valueDecimal\":-1e999999}]")
								+ ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}",
						422, "Bundle.entry[0].resource.extension[0].valueDecimal", "outside the range"),
				Arguments.of("decimal with a huge exponent in XML", FHIR_XML,
						xmlObservation("<valueQuantity><value value=\"1e999999\"/></valueQuantity>"), 422,
						"Observation.valueQuantity.value", "outside the range"),
				Arguments.of("decimal of 200,000 digits in XML (seconds of parsing)", FHIR_XML,
						xmlObservation("<valueQuantity><value value=\"" + "7".repeat(200_000) + "\"/></valueQuantity>"),
						422, "Observation.valueQuantity.value", "outside the range"),
				Arguments.of("tiny decimal in XML", FHIR_XML,
						xmlObservation("<valueQuantity><value value=\"-1e-999999\"/></valueQuantity>"), 422,
						"Observation.valueQuantity.value", "1000 digits"),
				Arguments.of("JSON nested 300 extensions deep (overflowed the validator's stack: 500)", FHIR_JSON,
						observation(",\"extension\":[" + nestedExtensions(300) + "]"), 400,
						"Observation.extension[0].extension[0]", "max-nesting-depth"),
				Arguments.of("JSON nested 5,000 deep", FHIR_JSON, "[".repeat(5000) + "]".repeat(5000), 400, "Resource",
						"max-nesting-depth"),
				Arguments.of("XML nested 300 extensions deep", FHIR_XML,
						xmlObservation("<extension url=\"urn:test:e\">".repeat(300) + "<valueString value=\"v\"/>"
								+ "</extension>".repeat(300)),
						400, "Observation.extension.extension", "max-nesting-depth"),
				Arguments.of("150,000 notes (took over 10 s to validate)", FHIR_JSON, observation(manyNotes(75_000)),
						400, "Observation.note[", "max-values"),
				Arguments.of("an extension that is a number (HAPI's parser failed: 500)", FHIR_JSON,
						observation(",\"extension\":[1]"), 400, "Observation.extension[0]", "must be a JSON object"),
				Arguments.of("a meta extension that is null", FHIR_JSON,
						observation(",\"meta\":{\"extension\":[null]}"), 400, "Observation.meta.extension[0]",
						"must be a JSON object"),
				Arguments.of("a primitive's extension that is an array", FHIR_JSON,
						observation(",\"_status\":{\"extension\":[[1]]}"), 400, "Observation._status.extension[0]",
						"must be a JSON object"),
				Arguments.of("a code of 900,000 characters the validator checks with a regular expression", FHIR_JSON,
						observation(",\"valueCodeableConcept\":{\"coding\":[{\"system\":\"urn:test\",\"code\":\""
								+ "a ".repeat(450_000) + " \"}]}"),
						422, "Observation.value", "code"),
				Arguments.of("a 4 MB string", FHIR_JSON,
						observation(",\"valueString\":\"" + "a".repeat(4_000_000) + "\""), 422, "Observation.value",
						"1 MB"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("hostileBodies")
	void hostileBodyIsRefusedQuicklyWithItsLocation(String name, String contentType, String body, int status,
			String where, String says) {
		long start = System.nanoTime();
		Response response = given().contentType(contentType + ";charset=UTF-8")
			.accept(FHIR_JSON)
			.body(body.getBytes(StandardCharsets.UTF_8))
			.post(body.contains("\"Bundle\"") ? "/" : "/Observation");
		Duration took = Duration.ofNanos(System.nanoTime() - start);

		assertThat(response.statusCode()).as(name + ": " + shortened(response)).isEqualTo(status);
		assertThat(took).as(name + " took " + took).isLessThan(BOUND);
		JsonPath outcome = response.jsonPath();
		assertThat(outcome.getString("resourceType")).isEqualTo("OperationOutcome");
		assertThat(outcome.getString("issue[0].diagnostics")).containsIgnoringCase(says);
		assertThat(String.valueOf(outcome.getList("issue.expression"))).contains(where);
		assertNothingStoredAndServerResponsive();
	}

	static Stream<Arguments> hostileSearches() {
		List<Arguments> cases = new ArrayList<>(List.of(
				Arguments.of("quantity with a huge exponent", "/Observation?value-quantity=gt1e999999", 422,
						"outside the range"),
				Arguments.of("quantity with a tiny exponent and units",
						"/Observation?value-quantity=1e-999999%7Chttp://unitsofmeasure.org%7C10*9/L", 422,
						"1000 digits"),
				Arguments.of("composite with a huge number",
						"/Observation?component-code-value-quantity=http://loinc.org%7C751-8$1e99999", 422,
						"outside the range"),
				Arguments.of("chained quantity", "/DiagnosticReport?result.value-quantity=1e999999", 422,
						"outside the range"),
				Arguments.of("eleven _include",
						"/Observation?" + "_include=Observation:subject&".repeat(11) + "_count=1", 400, "max-includes"),
				Arguments.of("41 parameters", "/Observation?" + "code=x&".repeat(41) + "_count=1", 400,
						"max-search-parameters"),
				Arguments.of("sort on something that is not indexed", "/Observation?_sort=colour", 400, "colour"),
				Arguments.of("_count beyond any number", "/Observation?_count=99999999999999999999", 400, "_count")));
		return cases.stream();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("hostileSearches")
	void hostileSearchIsRefusedQuickly(String name, String url, int status, String says) throws IOException {
		long start = System.nanoTime();
		RawHttp.Answer answer = RawHttp.get(port, "/fhir" + url);
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(answer.status()).as(name + ": " + answer.body()).isEqualTo(status);
		assertThat(took).as(name + " took " + took).isLessThan(BOUND);
		assertThat(answer.body()).contains("OperationOutcome").containsIgnoringCase(says);
		assertNothingStoredAndServerResponsive();
	}

	static Stream<Arguments> expensiveButBoundedSearches() {
		return Stream.of(Arguments.of("every include", "/Observation?_include=*&_count=500"),
				Arguments.of("every reverse include", "/Patient?_revinclude=*&_count=500"),
				Arguments.of("iterated includes", "/MedicationAdministration?_include=*&_include:iterate=*&_count=500"),
				Arguments.of("ten chains",
						"/Observation?" + java.util.stream.IntStream.range(0, 10)
							.mapToObj(i -> "subject.identifier=x" + i + ",y" + i + "&")
							.collect(java.util.stream.Collectors.joining()) + "_count=500"),
				Arguments.of("the same parameter ten times",
						"/Observation?" + "subject.identifier=x,y&".repeat(10) + "_count=500"),
				Arguments.of("sort on two parameters, largest page", "/Observation?_sort=-date,code&_count=500"),
				Arguments.of("the whole record at the largest page", "/Patient/$everything?_count=500"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("expensiveButBoundedSearches")
	void expensiveSearchAnswersWithinItsBound(String name, String url) throws IOException {
		long start = System.nanoTime();
		RawHttp.Answer answer = RawHttp.get(port, "/fhir" + url);
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(answer.status()).as(name + ": " + answer.body().substring(0, Math.min(400, answer.body().length())))
			.isEqualTo(200);
		assertThat(took).as(name + " took " + took).isLessThan(Duration.ofSeconds(10));
		assertNothingStoredAndServerResponsive();
	}

	/** Found by fuzzing: each of these was a 500. */
	static Stream<Arguments> brokenConditionalCriteria() {
		String patient = "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + MARKER + "\"}]}";
		return Stream.of(
				Arguments.of("If-None-Exist with a broken percent escape", "/Patient", patient, "identifier=%",
						"percent-encoded"),
				Arguments.of("If-None-Exist with _includeDeleted", "/Patient", patient, "_includeDeleted=true&name=x",
						"_includeDeleted"),
				Arguments.of("ifNoneExist of a transaction entry with a broken escape", "/",
						"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":" + patient
								+ ",\"request\":{\"method\":\"POST\",\"url\":\"Patient\",\"ifNoneExist\":\"identifier=%\"}}]}",
						null, "percent-encoded"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("brokenConditionalCriteria")
	void brokenConditionalCriteriaAreA400(String name, String path, String body, String ifNoneExist, String says) {
		var request = fhir().body(body);
		if (ifNoneExist != null) {
			request = request.header("If-None-Exist", ifNoneExist);
		}
		Response response = request.post(path);
		assertThat(response.statusCode()).as(name + ": " + shortened(response)).isEqualTo(400);
		assertThat(response.jsonPath().getString("issue[0].diagnostics")).contains(says);
		search("/Patient", "family=" + MARKER).then().statusCode(200).body("total", org.hamcrest.Matchers.equalTo(0));
	}

	@Test
	void aReferenceTheValidatorCannotFollowIsRefusedNotA500() {
		Response response = fhir()
			.body(observation(",\"subject\":{\"reference\":\"Patient?identifier=http://hemefhir.org/fhir//x|y\"}"))
			.post("/Observation");
		assertThat(response.statusCode()).as(shortened(response)).isBetween(400, 499);
		assertThat(response.jsonPath().getString("resourceType")).isEqualTo("OperationOutcome");
		assertNothingStoredAndServerResponsive();
	}

	@Test
	void aProfileWhosePathOverflowsTheValidatorsRegularExpressionIsRefusedNotA500() {
		String structureDefinition = "{\"resourceType\":\"StructureDefinition\",\"url\":\"urn:test:" + MARKER
				+ "\",\"name\":\"X\","
				+ "\"status\":\"draft\",\"kind\":\"resource\",\"abstract\":false,\"type\":\"Observation\","
				+ "\"baseDefinition\":\"http://hl7.org/fhir/StructureDefinition/Observation\",\"derivation\":\"constraint\","
				+ "\"differential\":{\"element\":[{\"id\":\"Observation\",\"path\":\"Observation."
				+ "a.".repeat(300_000) + "!\"}]}}";
		long start = System.nanoTime();
		Response response = fhir().body(structureDefinition).post("/StructureDefinition");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);
		assertThat(response.statusCode()).as(shortened(response)).isEqualTo(422);
		assertThat(response.jsonPath().getString("issue[0].diagnostics")).contains("could not be validated");
		fhir().get("/StructureDefinition?url=urn:test:" + MARKER + "&_summary=count")
			.then()
			.body("total", org.hamcrest.Matchers.equalTo(0));
	}

	@Test
	void rawPipeAndBracketsInTheQueryAreAccepted() throws IOException {
		String mrn = unique("raw-pipe");
		String id = createPatient(mrn);
		RawHttp.Answer pipe = RawHttp.get(port, "/fhir/Patient?identifier=urn:test:mrn|" + mrn);
		assertThat(pipe.status()).as(pipe.body()).isEqualTo(200);
		assertThat(pipe.body()).contains("\"id\":\"" + id + "\"");
		RawHttp.Answer brackets = RawHttp.get(port,
				"/fhir/Patient?identifier=urn:test:mrn|" + mrn + "&_elements=id&name={x}[y]");
		assertThat(brackets.status()).as(brackets.body()).isEqualTo(200);
	}

	@Test
	void pathThatTomcatRefusesIsAnOperationOutcome() throws IOException {
		RawHttp.Answer traversal = RawHttp.get(port, "/fhir/Patient/..%2F..%2Fetc%2Fpasswd");
		assertThat(traversal.status()).isEqualTo(400);
		assertThat(traversal.header("content-type")).startsWith("application/fhir+json");
		assertThat(traversal.body()).contains("\"resourceType\":\"OperationOutcome\"")
			.contains("%2F")
			.doesNotContain("<html");
		RawHttp.Answer badRequestLine = RawHttp.get(port, "/fhir/Patient?name=a\u0001b");
		assertThat(badRequestLine.status()).isEqualTo(400);
		assertThat(badRequestLine.body()).contains("OperationOutcome").doesNotContain("<html");
	}

	@Test
	void errorsOutsideTheFhirEndpointAreOperationOutcomes() {
		Response unknown = given().basePath("/").accept(FHIR_JSON).get("/no-such-page");
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(unknown.jsonPath().getString("resourceType")).isEqualTo("OperationOutcome");
		assertThat(unknown.jsonPath().getString("issue[0].diagnostics")).contains("/no-such-page");

		Response wrongMediaType = given().basePath("/").contentType("application/json").body("{}").post("/hl7v2");
		assertThat(wrongMediaType.statusCode()).isEqualTo(415);
		assertThat(wrongMediaType.jsonPath().getString("issue[0].diagnostics")).contains("application/hl7-v2");

		Response wrongMethod = given().basePath("/").get("/hl7v2");
		assertThat(wrongMethod.statusCode()).isEqualTo(405);
		assertThat(wrongMethod.jsonPath().getString("resourceType")).isEqualTo("OperationOutcome");
	}

	@Test
	void misspeltOperationParametersAreRefusedNamingTheAcceptedOnes() {
		String patient = createPatient(unique("op-params"));
		Response outcomes = fhir().get("/Patient/" + patient + "/$outcomes?ancThreshold=1.0");
		assertThat(outcomes.statusCode()).isEqualTo(400);
		assertThat(outcomes.jsonPath().getString("issue[0].diagnostics")).contains("'ancThreshold'")
			.contains("anc-threshold")
			.contains("platelet-threshold");

		Response inBody = fhir().body(
				"{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"plateletThreshold\",\"valueString\":\"50\"}]}")
			.post("/Patient/" + patient + "/$outcomes");
		assertThat(inBody.statusCode()).isEqualTo(400);
		assertThat(inBody.jsonPath().getString("issue[0].diagnostics")).contains("'plateletThreshold'");

		assertThat(fhir().get("/Patient/" + patient + "/$treatment-timeline?since=2024").statusCode()).isEqualTo(400);
		Response export = fhir().header("Prefer", "respond-async").get("/$export?_types=Patient");
		assertThat(export.statusCode()).isEqualTo(400);
		assertThat(export.jsonPath().getString("issue[0].diagnostics")).contains("'_types'")
			.contains("_type")
			.contains("_deidentify");
		assertThat(fhir().get("/Patient/" + patient + "/$everything?_sinse=2024").statusCode()).isEqualTo(400);

		// the parameters as defined still work, in the URL and in a body, with _format
		// beside them
		assertThat(fhir().get("/Patient/" + patient + "/$outcomes?anc-threshold=1.0&_format=json").statusCode())
			.isEqualTo(200);
		assertThat(fhir().body(
				"{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"platelet-threshold\",\"valueString\":\"50\"}]}")
			.post("/Patient/" + patient + "/$outcomes")
			.statusCode()).isEqualTo(200);
	}

	@Test
	void operationParameterWithAHugeNumberIsRefusedQuickly() {
		String patient = createPatient(unique("op-number"));
		long start = System.nanoTime();
		Response response = fhir().get("/Patient/" + patient + "/$outcomes?anc-threshold=1e999999");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.jsonPath().getString("issue[0].diagnostics")).contains("anc-threshold")
			.contains("outside the range");
	}

	@Test
	void unknownSearchParametersAreIgnoredUnlessTheClientAsksForStrictHandling() throws IOException {
		String mrn = unique("lenient");
		String id = createPatient(mrn);
		JsonPath lenient = search("/Patient", "identifier=urn:test:mrn|" + mrn, "colour=blue").then()
			.statusCode(200)
			.extract()
			.jsonPath();
		assertThat(lenient.getList("entry.findAll { it.search.mode == 'match' }.resource.id")).containsExactly(id);
		assertThat(lenient.getString("link.find { it.relation == 'self' }.url")).doesNotContain("colour");
		assertThat(lenient.getString("entry.find { it.search.mode == 'outcome' }.resource.issue[0].diagnostics"))
			.contains("'colour'")
			.contains("ignored");

		Response strict = fhir().header("Prefer", "handling=strict").queryParam("colour", "blue").get("/Patient");
		assertThat(strict.statusCode()).isEqualTo(400);
		assertThat(strict.jsonPath().getString("issue[0].diagnostics")).contains("'colour'").contains("identifier");
		Response strictWithModifier = fhir().header("Prefer", "return=minimal, handling=strict")
			.queryParam("colour:exact", "blue")
			.get("/Patient");
		assertThat(strictWithModifier.statusCode()).isEqualTo(400);
		// a known parameter with a modifier is not unknown
		assertThat(
				fhir().header("Prefer", "handling=strict").queryParam("name:exact", "x").get("/Patient").statusCode())
			.isEqualTo(200);
	}

	private void assertNothingStoredAndServerResponsive() {
		long start = System.nanoTime();
		fhir().get("/Observation?code:text=" + MARKER + "&_summary=count")
			.then()
			.statusCode(200)
			.body("total", org.hamcrest.Matchers.equalTo(0));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("an ordinary search afterwards")
			.isLessThan(Duration.ofSeconds(2));
	}

	private static String shortened(Response response) {
		String body = response.asString();
		return body.length() > 500 ? body.substring(0, 500) + "…" : body;
	}

}
