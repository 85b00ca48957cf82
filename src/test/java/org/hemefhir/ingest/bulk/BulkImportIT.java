package org.hemefhir.ingest.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.jobs.imprt.BulkImportAppCtx;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.hemefhir.AsyncRequests;
import org.hemefhir.FhirIntegrationTest;
import org.hemefhir.SmartServer;
import org.hemefhir.cohort.GeneratedNdjson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * FHIR Bulk Data {@code $import} of NDJSON served from 127.0.0.1 (the one allowed prefix
 * of the shared test configuration): ids kept, every resource validated as a REST write,
 * refused resources named while the others are stored, URLs outside the allowed prefixes
 * and malformed kick-offs refused before a job exists, and the scope it needs.
 */
class BulkImportIT extends FhirIntegrationTest {

	private static final String BLOOD_COUNT = "http://hemefhir.org/fhir/StructureDefinition/hemefhir-blood-count";

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final Map<String, String> files = new ConcurrentHashMap<>();

	private static final List<String> fetched = new CopyOnWriteArrayList<>();

	private static HttpServer source;

	@Autowired
	IJobCoordinator jobs;

	@BeforeAll
	static void serveFiles() throws IOException {
		source = HttpServer.create(new InetSocketAddress("127.0.0.1", IMPORT_SOURCE_PORT), 0);
		source.createContext("/", exchange -> {
			String path = exchange.getRequestURI().getPath();
			fetched.add(path);
			if (path.startsWith("/ndjson/redirect/")) {
				exchange.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
				exchange.sendResponseHeaders(302, -1);
				exchange.close();
				return;
			}
			String body = path.startsWith("/ndjson/") ? files.get(path.substring("/ndjson/".length())) : null;
			byte[] bytes = (body == null ? "" : body).getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "application/fhir+ndjson");
			exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length == 0 ? -1 : bytes.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(bytes);
			}
		});
		source.start();
	}

	@AfterAll
	static void stopServing() {
		source.stop(0);
	}

	@Test
	void aPatientAndItsObservationsAreImportedWithTheirIds() throws InterruptedException {
		String run = unique("imp").substring(0, 20);
		String patient = run + "-p1";
		files.put(run + "/Patient.ndjson", patient(patient) + "\n");
		files.put(run + "/Observation.ndjson",
				IntStream.rangeClosed(1, 3)
					.mapToObj(i -> observation(run + "-obs-" + i, patient, "10*9/L", "2024-05-0" + i))
					.collect(Collectors.joining("\n")));

		// the Observations are listed first: the server orders the files by what they
		// reference
		Response kickOff = kickOff(input("Observation", IMPORT_SOURCE + run + "/Observation.ndjson"),
				input("Patient", IMPORT_SOURCE + run + "/Patient.ndjson"));
		kickOff.then().statusCode(202);
		String poll = kickOff.header("Content-Location");
		assertThat(poll).contains("$import-poll-status?_jobId=");

		Response done = awaitEnd(poll);
		assertThat(done.statusCode()).as(done.asString()).isEqualTo(200);
		assertThat(done.jsonPath().getString("issue[0].diagnostics")).contains("completed");

		fhir().get("/Patient/" + patient).then().statusCode(200);
		for (int i = 1; i <= 3; i++) {
			Response read = fhir().get("/Observation/" + run + "-obs-" + i);
			read.then().statusCode(200);
			assertThat(read.jsonPath().getList("meta.profile", String.class)).containsExactly(BLOOD_COUNT);
			assertThat(read.jsonPath().getString("subject.reference")).isEqualTo("Patient/" + patient);
		}
		// the same files again: the same resources, unchanged
		Response again = awaitEnd(kickOff(input("Patient", IMPORT_SOURCE + run + "/Patient.ndjson"),
				input("Observation", IMPORT_SOURCE + run + "/Observation.ndjson"))
			.header("Content-Location"));
		assertThat(again.statusCode()).as(again.asString()).isEqualTo(200);
		fhir().get("/Observation/" + run + "-obs-1")
			.then()
			.statusCode(200)
			.body("meta.versionId", org.hamcrest.Matchers.equalTo("1"));
	}

	/**
	 * A generated course, its files listed in the reverse of the manifest's order: every
	 * file references types of files listed after it, some only through the
	 * implementation guide's extensions (a blood count's regimen, an administration's
	 * CarePlan), which an order taken from the base specification's search parameters
	 * misses.
	 */
	@Test
	void aGeneratedCourseIsImportedWhicheverOrderItsFilesAreListedIn(@TempDir Path dir)
			throws IOException, InterruptedException {
		long resources = GeneratedNdjson.write(915, 1, dir);
		String run = unique("gen").substring(0, 20);
		List<String> inputs = new ArrayList<>();
		Map<String, List<String>> ids = new LinkedHashMap<>();
		for (JsonNode file : JSON.readTree(dir.resolve("manifest.json").toFile()).get("files")) {
			String type = file.get("type").asText();
			String name = run + "/" + file.get("url").asText();
			String text = Files.readString(dir.resolve(file.get("url").asText()));
			files.put(name, text);
			inputs.add(0, input(type, IMPORT_SOURCE + name));
			for (String line : text.split("\n")) {
				if (!line.isBlank()) {
					ids.computeIfAbsent(type, t -> new ArrayList<>()).add(JSON.readTree(line).get("id").asText());
				}
			}
		}
		assertThat(ids.keySet()).contains("Patient", "Procedure", "CarePlan", "Observation",
				"MedicationAdministration");

		Response done = awaitEnd(kickOff(inputs.toArray(String[]::new)).header("Content-Location"));

		assertThat(done.statusCode()).as(done.asString()).isEqualTo(200);
		long stored = 0;
		for (Map.Entry<String, List<String>> type : ids.entrySet()) {
			int found = fhir().contentType("application/x-www-form-urlencoded")
				.formParam("_id", String.join(",", type.getValue()))
				.formParam("_summary", "count")
				.post("/" + type.getKey() + "/_search")
				.jsonPath()
				.getInt("total");
			assertThat(found).as(type.getKey()).isEqualTo(type.getValue().size());
			stored += found;
		}
		assertThat(stored).isEqualTo(resources);
	}

	@Test
	void aResourceBreakingItsProfileIsNamedAndTheOthersAreStored() throws InterruptedException {
		String run = unique("imp").substring(0, 20);
		String patient = run + "-p1";
		files.put(run + "/Patient.ndjson", patient(patient));
		files.put(run + "/Observation.ndjson",
				String.join("\n", observation(run + "-ok-1", patient, "10*9/L", "2024-05-01"),
						observation(run + "-bad", patient, "mg/dL", "2024-05-02"),
						observation(run + "-ok-2", patient, "10*9/L", "2024-05-03"),
						"{\"resourceType\":\"Observation\",\"id\":\"" + run + "-garbled\",\"status\":\"nonsense\"}",
						observation(run + "-orphan", run + "-nobody", "10*9/L", "2024-05-04"),
						"{\"resourceType\":\"AuditEvent\",\"id\":\"" + run + "-forged\"}"));

		Response done = awaitEnd(kickOff(input("Patient", IMPORT_SOURCE + run + "/Patient.ndjson"),
				input("Observation", IMPORT_SOURCE + run + "/Observation.ndjson"))
			.header("Content-Location"));

		assertThat(done.statusCode()).as(done.asString()).isEqualTo(422);
		assertThat(done.contentType()).contains("application/fhir+json");
		List<String> issues = done.jsonPath().getList("issue.diagnostics", String.class);
		assertThat(issues.get(0)).contains("4 resource(s) refused; the others were stored");
		assertThat(issues)
			.anySatisfy(i -> assertThat(i).startsWith("Observation/" + run + "-bad: ").contains("hf-bc-1"))
			.anySatisfy(
					i -> assertThat(i).startsWith("Observation/" + run + "-garbled is not a valid FHIR R4 resource"))
			.anySatisfy(i -> assertThat(i).startsWith("Observation/" + run + "-orphan: ")
				.contains("Patient/" + run + "-nobody"))
			.anySatisfy(i -> assertThat(i).startsWith("AuditEvent/" + run + "-forged: bulk import does not load"))
			.noneSatisfy(i -> assertThat(i).contains("Exception").contains("\tat "));
		fhir().get("/Observation/" + run + "-ok-1").then().statusCode(200);
		fhir().get("/Observation/" + run + "-ok-2").then().statusCode(200);
		fhir().get("/Observation/" + run + "-bad").then().statusCode(404);
		fhir().get("/Observation/" + run + "-orphan").then().statusCode(404);
	}

	@Test
	void aRedirectFromTheFileServerIsNotFollowed() throws InterruptedException {
		fetched.clear();
		Response done = awaitEnd(
				kickOff(input("Patient", IMPORT_SOURCE + "redirect/Patient.ndjson")).header("Content-Location"));

		assertThat(done.statusCode()).as(done.asString()).isEqualTo(422);
		assertThat(done.jsonPath().getString("issue[0].diagnostics")).contains("HTTP 302", "redirect/Patient.ndjson");
		assertThat(fetched).containsOnly("/ndjson/redirect/Patient.ndjson");
	}

	@Test
	void aUrlOutsideTheAllowedPrefixesIsRefusedBeforeAnyJob() {
		int jobsBefore = importJobs();
		String other = "http://127.0.0.1:" + IMPORT_SOURCE_PORT;
		for (String url : List.of(other + "/elsewhere/Patient.ndjson", other + "/ndjson/../elsewhere/Patient.ndjson",
				other + "/ndjson/%2e%2e/elsewhere/Patient.ndjson", "http://169.254.169.254/latest/meta-data/",
				"http://127.0.0.1:" + IMPORT_SOURCE_PORT + "@evil.test/ndjson/Patient.ndjson", "file:///etc/passwd")) {
			fetched.clear();
			Response refused = kickOff(input("Patient", IMPORT_SOURCE + "x/Patient.ndjson"), input("Observation", url));
			refused.then().statusCode(403);
			assertThat(refused.jsonPath().getString("issue[0].diagnostics")).as(url)
				.contains("input 1 (Observation)", "hemefhir.bulk-import.allowed-url-prefixes");
			assertThat(fetched).isEmpty();
		}
		assertThat(importJobs()).isEqualTo(jobsBefore);
	}

	@Test
	void malformedKickOffsAreRefusedWith400() {
		String url = IMPORT_SOURCE + "x/Patient.ndjson";
		String withoutFormat = "{\"resourceType\":\"Parameters\",\"parameter\":[" + input("Patient", url) + "]}";
		assertBadRequest(fhir().header("Prefer", "respond-async").body(withoutFormat).post("/$import"), "inputFormat");
		assertBadRequest(kickOff("{\"name\":\"input\",\"part\":[{\"name\":\"type\",\"valueCode\":\"Patient\"}]}"),
				"needs a url");
		assertBadRequest(kickOff(input("Patients", url)), "FHIR R4 resource type");
		assertBadRequest(kickOff(), "at least one input");
		assertBadRequest(fhir().body(parameters(input("Patient", url))).post("/$import"), "respond-async");
		assertBadRequest(kickOff(input("Patient", url), "{\"name\":\"since\",\"valueString\":\"x\"}"), "since");
		assertBadRequest(kickOff(input("Patient", url),
				"{\"name\":\"storageDetail\",\"part\":[{\"name\":\"maxBatchResourceCount\",\"valueString\":\"100000\"}]}"),
				"maxBatchResourceCount");
		assertBadRequest(
				fhir().header("Prefer", "respond-async").body("{\"resourceType\":\"Parameters\",").post("/$import"),
				null);
		assertBadRequest(fhir().get("/$import-poll-status"), "_jobId");
		fhir().get("/$import-poll-status?_jobId=no-such-job").then().statusCode(404);
	}

	@Test
	void withSecurityOnTheKickOffNeedsAWriteScopeOnEveryType() {
		SmartServer server = SmartServer.get();
		String body = parameters(input("Patient", "https://files.test/Patient.ndjson"));
		for (String scopes : List.of("system/*.rs", "system/Patient.cu system/Observation.cu",
				"system/*.cu?category=laboratory", "patient/*.cruds")) {
			Response refused = server.with(scopes).header("Prefer", "respond-async").body(body).post("/$import");
			refused.then().statusCode(403);
			assertThat(refused.jsonPath().getString("issue[0].diagnostics")).as(scopes).contains("system/*.cu");
		}
		server.anonymous().header("Prefer", "respond-async").body(body).post("/$import").then().statusCode(401);
		// allowed through: this server has no allowed prefixes, so it says so
		Response unconfigured = server.with("system/*.cu")
			.header("Prefer", "respond-async")
			.body(body)
			.post("/$import");
		unconfigured.then().statusCode(403);
		assertThat(unconfigured.jsonPath().getString("issue[0].diagnostics")).contains("not configured");
		server.with("system/*.rs").get("/$import-poll-status?_jobId=x").then().statusCode(403);
		server.with("system/*.cu").get("/$import-poll-status?_jobId=x").then().statusCode(404);
	}

	private int importJobs() {
		return jobs.getJobInstancesByJobDefinitionId(BulkImportAppCtx.JOB_BULK_IMPORT_PULL, 10_000, 0).size();
	}

	private static void assertBadRequest(Response response, String saying) {
		response.then().statusCode(400);
		assertThat(response.jsonPath().getString("resourceType")).isEqualTo("OperationOutcome");
		if (saying != null) {
			assertThat(response.jsonPath().getString("issue[0].diagnostics")).contains(saying);
		}
	}

	private static Response kickOff(String... parameters) {
		String all = "{\"name\":\"inputFormat\",\"valueCode\":\"application/fhir+ndjson\"},"
				+ "{\"name\":\"inputSource\",\"valueUri\":\"http://registry.test\"}"
				+ (parameters.length == 0 ? "" : "," + String.join(",", parameters));
		return fhir().header("Prefer", "respond-async")
			.body("{\"resourceType\":\"Parameters\",\"parameter\":[" + all + "]}")
			.post("/$import");
	}

	private static String parameters(String... parameters) {
		return "{\"resourceType\":\"Parameters\",\"parameter\":["
				+ "{\"name\":\"inputFormat\",\"valueCode\":\"application/fhir+ndjson\"}," + String.join(",", parameters)
				+ "]}";
	}

	private static String input(String type, String url) {
		return "{\"name\":\"input\",\"part\":[{\"name\":\"type\",\"valueCode\":\"" + type
				+ "\"},{\"name\":\"url\",\"valueUri\":\"" + url + "\"}]}";
	}

	private static Response awaitEnd(String poll) throws InterruptedException {
		String path = poll.substring(poll.indexOf("/fhir/") + "/fhir".length());
		Response response = AsyncRequests.untilDone(() -> fhir().get(path), Duration.ofMinutes(2));
		if (response.statusCode() == 202) {
			throw new AssertionError("the import did not end in two minutes");
		}
		return response;
	}

	private static String patient(String id) {
		return "{\"resourceType\":\"Patient\",\"id\":\"" + id
				+ "\",\"identifier\":[{\"system\":\"urn:test:mrn\",\"value\":\"" + id
				+ "\"}],\"gender\":\"female\",\"birthDate\":\"1964\"}";
	}

	private static String observation(String id, String patient, String unit, String date) {
		return "{\"resourceType\":\"Observation\",\"id\":\"" + id + "\",\"meta\":{\"profile\":[\"" + BLOOD_COUNT
				+ "\"]},\"status\":\"final\",\"category\":[{\"coding\":[{\"system\":"
				+ "\"http://terminology.hl7.org/CodeSystem/observation-category\",\"code\":\"laboratory\"}]}],"
				+ "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"751-8\"}]},"
				+ "\"subject\":{\"reference\":\"Patient/" + patient + "\"},\"effectiveDateTime\":\"" + date
				+ "\",\"valueQuantity\":{\"value\":2.4,\"unit\":\"" + unit
				+ "\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"" + unit + "\"}}";
	}

}
