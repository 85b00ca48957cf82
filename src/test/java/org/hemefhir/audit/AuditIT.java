package org.hemefhir.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.hemefhir.FhirIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Every request leaves an AuditEvent and every write a Provenance, stored by the
 * background writer (polled with a deadline); security is off here, so the client is
 * anonymous.
 */
class AuditIT extends FhirIntegrationTest {

	@Autowired
	AuditPurge purge;

	@Autowired
	AuditConfig.Background background;

	@Autowired
	javax.sql.DataSource dataSource;

	@Test
	void healthTellsHowManyRecordsWaitForTheWriter() {
		// a burst of reads, each one record; the writer drains them within moments
		for (int i = 0; i < 40; i++) {
			fhir().get("/Patient?_count=1");
		}
		long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
		io.restassured.path.json.JsonPath audit;
		do {
			audit = given().basePath("")
				.get("/actuator/health")
				.then()
				.statusCode(200)
				.extract()
				.jsonPath()
				.setRootPath("components.audit");
			assertThat(audit.getString("status")).isEqualTo("UP");
			assertThat(audit.getInt("details.queueCapacity")).isEqualTo(10_000);
		}
		while (audit.getInt("details.queued") > 0 && System.nanoTime() < deadline);
		assertThat(audit.getInt("details.queued")).isZero();
		assertThat(audit.getBoolean("details.spilledToFile")).isFalse();
	}

	private static org.hl7.fhir.r4.model.AuditEvent record(String id, String what) {
		org.hl7.fhir.r4.model.AuditEvent event = new org.hl7.fhir.r4.model.AuditEvent();
		event.setId(id);
		event.setType(new org.hl7.fhir.r4.model.Coding("http://dicom.nema.org/resources/ontology/DCM", "110110",
				"Patient Record"));
		event.setRecorded(new java.util.Date());
		event.addAgent().setRequestor(true).setWho(new org.hl7.fhir.r4.model.Reference().setDisplay("a test"));
		event.getSource().setObserver(new org.hl7.fhir.r4.model.Reference().setDisplay("HemeFHIR"));
		event.addEntity().setWhat(new org.hl7.fhir.r4.model.Reference(what));
		return event;
	}

	@Test
	void aBatchIsStoredOnceEvenWithARecordWhoseReferenceIsGone() throws java.sql.SQLException {
		String patient = fhir().get("/Patient?identifier=" + CASE + "|patient")
			.then()
			.statusCode(200)
			.extract()
			.path("entry[0].resource.id");
		String prefix = "store-" + java.util.UUID.randomUUID();
		List<org.hl7.fhir.r4.model.Resource> batch = new ArrayList<>();
		for (int i = 0; i < 30; i++) {
			batch.add(record(prefix + "-" + i, "Patient/" + patient));
		}
		// one record names a resource that no longer exists: stored with an identifier
		batch.add(record(prefix + "-gone", "Patient/never-stored-" + prefix));
		List<String> lookups;
		try (java.sql.Connection connection = dataSource.getConnection();
				java.sql.Statement statement = connection.createStatement()) {
			// H2 counts the statements it runs from here
			statement.execute("SET QUERY_STATISTICS FALSE");
			statement.execute("SET QUERY_STATISTICS TRUE");
			assertThat(background.writer().store(batch)).isTrue();
			// stored again (a spill file replayed after a crash): nothing changes
			assertThat(background.writer().store(batch)).isTrue();
			lookups = new ArrayList<>();
			try (java.sql.ResultSet statements = statement
				.executeQuery("SELECT SQL_STATEMENT FROM INFORMATION_SCHEMA.QUERY_STATISTICS")) {
				while (statements.next()) {
					String sql = statements.getString(1).toLowerCase(java.util.Locale.ROOT);
					if (sql.contains("fhir_id") && sql.contains("hfj_resource")) {
						lookups.add(sql);
					}
				}
			}
			statement.execute("SET QUERY_STATISTICS FALSE");
		}
		// ids were looked up one at a time (an index read), never as OR-ed pairs, which
		// H2
		// answers by reading the whole resource table
		assertThat(lookups).isNotEmpty().noneMatch(sql -> sql.contains(" or "));
		for (int i = 0; i < 30; i++) {
			fhir().get("/AuditEvent/" + prefix + "-" + i)
				.then()
				.statusCode(200)
				.body("meta.versionId", org.hamcrest.Matchers.equalTo("1"))
				.body("entity[0].what.reference", org.hamcrest.Matchers.equalTo("Patient/" + patient));
		}
		fhir().get("/AuditEvent/" + prefix + "-gone")
			.then()
			.statusCode(200)
			.body("entity[0].what.reference", org.hamcrest.Matchers.nullValue())
			.body("entity[0].what.identifier.value", org.hamcrest.Matchers.containsString("never-stored-" + prefix));
	}

	@Test
	void aReadIsAuditedWithItsPatient() {
		String id = createPatient(unique("audit-read"));
		fhir().get("/Patient/" + id).then().statusCode(200);
		Map<String, Object> event = awaitOne("AuditEvent?entity=Patient/" + id + "&subtype=read");
		JsonPath json = JsonPath.from(toJson(event));
		assertThat(json.getString("type.code")).isEqualTo("rest");
		assertThat(json.getString("action")).isEqualTo("R");
		assertThat(json.getString("outcome")).isEqualTo("0");
		assertThat(json.getList("entity.role.code")).contains("1");
		assertThat(json.getList("agent.name")).contains("anonymous", "HemeFHIR");
		assertThat(json.getList("agent.network.address")).contains("127.0.0.1");
		assertThat(json.getString("recorded")).isNotBlank();
	}

	/**
	 * Each look at the patient adds an AuditEvent to its compartment; $everything does
	 * not read them (its total counts the record only, and no page comes back short).
	 */
	@Test
	void everythingLeavesTheGrowingAuditTrailUnread() {
		String id = createPatient(unique("audit-everything"));
		for (int i = 0; i < 6; i++) {
			fhir().get("/Patient/" + id).then().statusCode(200);
		}
		await(() -> entries("AuditEvent?entity=Patient/" + id + "&subtype=read"), list -> list.size() == 6);

		JsonPath page = fhir().get("/Patient/" + id + "/$everything?_count=2")
			.then()
			.statusCode(200)
			.extract()
			.jsonPath();

		assertThat(page.getList("entry.resource.resourceType", String.class)).containsExactly("Patient", "Provenance");
		assertThat(page.getInt("total")).isEqualTo(2);
		// a client choosing its types still gets no audit event
		JsonPath chosen = fhir().get("/Patient/" + id + "/$everything?_type=AuditEvent,Provenance")
			.then()
			.statusCode(200)
			.extract()
			.jsonPath();
		assertThat(chosen.getList("entry.resource.resourceType", String.class)).doesNotContain("AuditEvent")
			.contains("Provenance");
	}

	@Test
	void aSearchIsAuditedWithItsQuery() {
		String id = createPatient(unique("audit-search"));
		String marker = unique("code");
		search("/Observation", "patient=" + id, "code=" + marker).then().statusCode(200);
		Map<String, Object> event = awaitOne("AuditEvent?entity=Patient/" + id + "&subtype=search-type");
		JsonPath json = JsonPath.from(toJson(event));
		assertThat(json.getString("action")).isEqualTo("E");
		String query = json.getString("entity.find { it.role.code == '24' }.query");
		assertThat(new String(Base64.getDecoder().decode(query), StandardCharsets.UTF_8)).contains(marker);
	}

	@Test
	void aCreateIsAuditedAndHasItsProvenanceAndTheResourceCanStillBeDeleted() {
		String id = createPatient(unique("audit-create"));
		JsonPath event = JsonPath.from(toJson(awaitOne("AuditEvent?entity=Patient/" + id + "&subtype=create")));
		assertThat(event.getString("action")).isEqualTo("C");
		assertThat(event.getString("outcome")).isEqualTo("0");
		JsonPath provenance = JsonPath.from(toJson(awaitOne("Provenance?target=Patient/" + id)));
		assertThat(provenance.getList("target.reference")).containsExactly("Patient/" + id + "/_history/1");
		assertThat(provenance.getString("activity.coding[0].code")).isEqualTo("CREATE");
		assertThat(provenance.getString("agent[0].who.display")).isEqualTo("anonymous");
		assertThat(provenance.getString("agent[0].type.coding[0].code")).isEqualTo("author");
		// the audit trail does not keep the patient from being deleted (once the read's
		// AuditEvent, naming the patient, is stored)
		fhir().get("/Patient/" + id).then().statusCode(200);
		awaitOne("AuditEvent?entity=Patient/" + id + "&subtype=read");
		fhir().delete("/Patient/" + id).then().statusCode(200);
	}

	@Test
	void aTransactionHasOneProvenanceForAllItWrote() {
		String first = unique("audit-tx");
		String second = unique("audit-tx");
		String bundle = """
				{"resourceType":"Bundle","type":"transaction","entry":[
				 {"resource":%s,"request":{"method":"POST","url":"Patient"}},
				 {"resource":%s,"request":{"method":"POST","url":"Patient"}}]}
				""".formatted(patientJson(first), patientJson(second));
		List<String> locations = fhir().body(bundle)
			.post("/")
			.then()
			.statusCode(200)
			.extract()
			.jsonPath()
			.getList("entry.response.location");
		assertThat(locations).hasSize(2);
		String firstId = locations.get(0).split("/")[1];
		JsonPath provenance = JsonPath.from(toJson(awaitOne("Provenance?target=Patient/" + firstId)));
		assertThat(provenance.getList("target.reference")).containsExactlyInAnyOrderElementsOf(locations);
		JsonPath event = JsonPath
			.from(toJson(awaitOne("AuditEvent?entity=Patient/" + firstId + "&subtype=transaction")));
		assertThat(event.getString("action")).isEqualTo("E");
	}

	@Test
	void validateIsAuditedAsTheOperation() {
		Instant start = Instant.now().minusSeconds(1);
		fhir().body("""
				{"resourceType":"Parameters","parameter":[{"name":"resource","resource":%s}]}
				""".formatted(patientJson(unique("audit-validate")))).post("/Patient/$validate");
		String since = "&date=ge" + start.truncatedTo(ChronoUnit.SECONDS);
		JsonPath event = JsonPath.from(toJson(await(() -> entries("AuditEvent?subtype=operation" + since),
				list -> list.stream().anyMatch(e -> toJson(e).contains("$validate")))
			.stream()
			.filter(e -> toJson(e).contains("$validate"))
			.findFirst()
			.orElseThrow()));
		assertThat(event.getList("subtype.code")).contains("operation", "$validate");
		assertThat(entries("AuditEvent?subtype=%24validate" + since)).as("searchable by the operation's name")
			.isNotEmpty();
		assertThat(event.getString("action")).isEqualTo("E");
	}

	@Test
	void aRefusedRequestIsAuditedAsAFailure() {
		Instant start = Instant.now().minusSeconds(1);
		String missing = unique("missing");
		fhir().get("/Patient/" + missing).then().statusCode(404);
		Map<String, Object> event = await(
				() -> entries("AuditEvent?outcome=4&subtype=read&date=ge" + start.truncatedTo(ChronoUnit.SECONDS)),
				list -> list.stream().anyMatch(e -> toJson(e).contains("Patient/" + missing)))
			.stream()
			.filter(e -> toJson(e).contains("Patient/" + missing))
			.findFirst()
			.orElseThrow();
		JsonPath json = JsonPath.from(toJson(event));
		assertThat(json.getString("outcome")).isEqualTo("4");
		assertThat(json.getString("outcomeDesc")).isNotBlank();
		// the missing patient is named by identifier: a reference would not resolve
		assertThat(json.getString("entity[0].what.identifier.value")).isEqualTo("Patient/" + missing);
	}

	@Test
	void anHl7v2MessageIsAuditedWithItsProvenance() throws IOException {
		String mrn = unique("audit-v2");
		createPatient(mrn);
		String prefix = unique("AV");
		String message = readdress(Files.readString(Path.of("sample-bundles", "hl7v2", "oru-r01-v251-anc-final.hl7")),
				mrn, prefix);
		String controlId = segmentFields(message, "MSH")[9];
		given().basePath("/")
			.contentType("application/hl7-v2")
			.body(message.getBytes(StandardCharsets.UTF_8))
			.post("/hl7v2")
			.then()
			.statusCode(200)
			.body(org.hamcrest.Matchers.containsString("MSA|AA"));
		JsonPath event = JsonPath.from(toJson(await(() -> entries("AuditEvent?type=110107&_count=50&_sort=-date"),
				list -> list.stream().anyMatch(e -> toJson(e).contains(controlId)))
			.stream()
			.filter(e -> toJson(e).contains(controlId))
			.findFirst()
			.orElseThrow()));
		assertThat(event.getString("action")).isEqualTo("C");
		assertThat(event.getString("outcome")).isEqualTo("0");
		assertThat(event.getList("subtype.code")).containsExactly("ORU", "R01");
		List<String> written = event.getList("entity.findAll { it.role.code == '4' }.what.reference");
		assertThat(written).isNotEmpty().allMatch(r -> r.contains("/_history/"));
		String observation = written.stream().filter(r -> r.startsWith("Observation/")).findFirst().orElseThrow();
		JsonPath provenance = JsonPath.from(toJson(awaitOne("Provenance?target=" + observation.split("/_history")[0])));
		assertThat(provenance.getList("target.reference")).containsExactlyInAnyOrderElementsOf(written);
		assertThat(provenance.getString("activity.coding[0].code")).isEqualTo("R01");
		assertThat(provenance.getString("entity[0].what.identifier.value")).isEqualTo(controlId);
	}

	@Test
	void concurrentRequestsLoseNoAuditEvent() throws Exception {
		String id = createPatient(unique("audit-load"));
		int threads = 16;
		int each = 15;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		List<Future<?>> done = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			done.add(pool.submit(() -> {
				for (int i = 0; i < each; i++) {
					given().port(port).basePath("/fhir").accept(FHIR_JSON).get("/Patient/" + id).then().statusCode(200);
				}
				return null;
			}));
		}
		for (Future<?> f : done) {
			f.get();
		}
		pool.shutdown();
		String count = "AuditEvent?entity=Patient/" + id + "&subtype=read&_summary=count";
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		int total = 0;
		while (System.nanoTime() < deadline
				&& (total = fhir().get(count).jsonPath().getInt("total")) < threads * each) {
			sleep(200);
		}
		sleep(1000); // and no more arrive
		assertThat(fhir().get(count).jsonPath().getInt("total")).isEqualTo(total).isEqualTo(threads * each);
	}

	@Test
	void thePurgeRemovesWhatIsOlderThanTheRetentionAndKeepsTheRest() {
		String old = fhir().body(auditEvent("2001-02-03T04:05:06Z"))
			.post("/AuditEvent")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		String recent = fhir().body(auditEvent(Instant.now().toString()))
			.post("/AuditEvent")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		assertThat(purge.purgeBefore(Instant.now().minus(Duration.ofDays(365)))).isGreaterThanOrEqualTo(1);
		// expunged, not only deleted (a deleted one would answer 410)
		fhir().get("/AuditEvent/" + old).then().statusCode(404);
		fhir().get("/AuditEvent/" + recent).then().statusCode(200);
	}

	private static String auditEvent(String recorded) {
		return """
				{"resourceType":"AuditEvent",
				 "type":{"system":"http://terminology.hl7.org/CodeSystem/audit-event-type","code":"rest"},
				 "recorded":"%s",
				 "agent":[{"requestor":true,"who":{"display":"test"}}],
				 "source":{"observer":{"display":"test"}}}
				""".formatted(recorded);
	}

	private Map<String, Object> awaitOne(String search) {
		return await(() -> entries(search), list -> !list.isEmpty()).get(0);
	}

	private List<Map<String, Object>> await(Supplier<List<Map<String, Object>>> search,
			Predicate<List<Map<String, Object>>> done) {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		List<Map<String, Object>> found = search.get();
		while (!done.test(found) && System.nanoTime() < deadline) {
			sleep(200);
			found = search.get();
		}
		assertThat(done.test(found)).as("found in time: %s", found).isTrue();
		return found;
	}

	private List<Map<String, Object>> entries(String search) {
		Response response = fhir().urlEncodingEnabled(false).get("/" + search);
		response.then().statusCode(200);
		List<Map<String, Object>> resources = response.jsonPath().getList("entry.resource");
		return resources == null ? List.of() : resources;
	}

	private static String toJson(Object value) {
		try {
			return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(value);
		}
		catch (com.fasterxml.jackson.core.JsonProcessingException e) {
			throw new IllegalStateException(e);
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	/** The sample message for this test's patient, sharing no identifier with others. */
	private static String readdress(String message, String mrn, String prefix) {
		List<String> out = new ArrayList<>();
		for (String segment : message.replace("\r\n", "\r").replace('\n', '\r').split("\r")) {
			String[] fields = segment.split("\\|", -1);
			switch (fields[0]) {
				case "MSH" -> fields[9] = prefix + fields[9];
				case "PID" -> fields[3] = mrn + "^^^&urn:test:mrn&URI^MR";
				case "OBR" -> fields[3] = prefix + fields[3];
				case "SPM" -> fields[2] = prefix + fields[2];
				default -> {
				}
			}
			out.add(String.join("|", fields));
		}
		return String.join("\r", out);
	}

	private static String[] segmentFields(String message, String name) {
		for (String segment : message.split("\r")) {
			if (segment.startsWith(name + "|")) {
				return segment.split("\\|", -1);
			}
		}
		throw new IllegalArgumentException(name);
	}

}
