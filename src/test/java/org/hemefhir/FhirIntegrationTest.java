package org.hemefhir;

import static io.restassured.RestAssured.given;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of every integration test: one real server on a random port over a fresh embedded
 * H2 database, shared by all test classes (same configuration, so Spring caches one
 * context).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class FhirIntegrationTest {

	public static final String FHIR_JSON = "application/fhir+json";

	public static final String FHIR_XML = "application/fhir+xml";

	/**
	 * Identifier system of the published case's resources (sample-bundles/case-report/).
	 */
	public static final String CASE = "http://hemefhir.org/fhir/sid/case-tjh-2025-0019";

	private static final Path DATA_DIR = createDataDir();

	/**
	 * Port on 127.0.0.1 where BulkImportIT serves its NDJSON files: the one place
	 * {@code $import} may fetch from in the shared context.
	 */
	public static final int IMPORT_SOURCE_PORT = freePort();

	/** The allowed prefix of {@code $import} URLs in the shared context. */
	public static final String IMPORT_SOURCE = "http://127.0.0.1:" + IMPORT_SOURCE_PORT + "/ndjson/";

	@LocalServerPort
	protected int port;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		registry.add("hemefhir.data-dir", DATA_DIR::toString);
		// local PID-3 assigning authorities, as a site maps them (Hl7v2LabFeedsIT)
		registry.add("hemefhir.hl7v2.assigning-authorities.HOSP", () -> "urn:oid:2.999.7.1");
		registry.add("hemefhir.hl7v2.sending-facilities.OTHER-LAB.assigning-authorities.HOSP",
				() -> "urn:oid:2.999.7.2");
		registry.add("hemefhir.bulk-import.allowed-url-prefixes", () -> IMPORT_SOURCE);
		// export and import jobs step on at once rather than within 5 s; what is tested
		// is
		// what they produce
		registry.add("hemefhir.batch-maintenance-interval", () -> "1s");
	}

	@BeforeEach
	protected void pointRestAssuredAtServer() {
		RestAssured.port = port;
		RestAssured.basePath = "/fhir";
		RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
	}

	/** A request that sends and accepts FHIR JSON. */
	protected static RequestSpecification fhir() {
		return given().contentType(FHIR_JSON + ";charset=UTF-8").accept(FHIR_JSON);
	}

	/**
	 * A search with its parameters given as "name=value" pairs, sent URL-encoded (values
	 * such as {@code http://loinc.org|751-8} are not safe inside a path string).
	 */
	protected static Response search(String path, String... parameters) {
		RequestSpecification request = fhir();
		for (String parameter : parameters) {
			int eq = parameter.indexOf('=');
			request = request.queryParam(parameter.substring(0, eq), parameter.substring(eq + 1));
		}
		return request.get(path);
	}

	/** A value no other test (or earlier run) uses, for identifiers and names. */
	protected static String unique(String prefix) {
		return prefix + "-" + UUID.randomUUID();
	}

	protected static String createdId(Response response) {
		return response.then().statusCode(201).extract().path("id");
	}

	protected static String patientJson(String identifierValue) {
		return """
				{"resourceType":"Patient",
				 "identifier":[{"system":"urn:test:mrn","value":"%s"}],
				 "gender":"female","birthDate":"1964"}
				""".formatted(identifierValue);
	}

	/** Creates a patient and returns its id. */
	protected static String createPatient(String identifierValue) {
		return createdId(fhir().body(patientJson(identifierValue)).post("/Patient"));
	}

	private static int freePort() {
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (java.io.IOException e) {
			throw new IllegalStateException(e);
		}
	}

	private static Path createDataDir() {
		try {
			Path dir = Path.of("target", "it-data", UUID.randomUUID().toString());
			Files.createDirectories(dir);
			return dir.toAbsolutePath();
		}
		catch (java.io.IOException e) {
			throw new IllegalStateException(e);
		}
	}

}
