package org.hemefhir.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hemefhir.SmartServer;
import org.junit.jupiter.api.Test;

/**
 * With tokens, the AuditEvent names the client and the token's subject, and requests
 * refused by Spring Security (401) or the scopes (403) are audited too.
 */
class AuditSmartIT {

	private static final SmartServer server = SmartServer.get();

	private static final String ADMIN = "hemefhir/admin";

	@Test
	void theClientAndTheSubjectOfTheTokenAreNamed() {
		String subject = "user-" + UUID.randomUUID();
		String token = server.tokens().signed(server.tokens().claims("system/Patient.cruds").subject(subject).build());
		String id = server.as(token)
			.body("""
					{"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"%s"}],"gender":"female","birthDate":"1964"}
					"""
				.formatted(UUID.randomUUID()))
			.post("/Patient")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		server.as(token).get("/Patient/" + id).then().statusCode(200);
		JsonPath event = JsonPath.from(toJson(awaitOne("AuditEvent?entity=Patient/" + id + "&subtype=read")));
		assertThat(event.getList("agent.name")).contains("test-client", subject);
		assertThat(event.getString("agent.find { it.type.coding[0].code == 'UserOauthAgent' }.altId"))
			.isEqualTo(subject);
		assertThat(event.getString("agent.find { it.type.coding[0].code == '110153' }.who.identifier.value"))
			.isEqualTo("test-client");
		JsonPath provenance = JsonPath.from(toJson(awaitOne("Provenance?target=Patient/" + id)));
		assertThat(provenance.getString("agent[0].who.identifier.value")).isEqualTo("test-client");
		// searchable by client
		assertThat(entries("AuditEvent?agent-name=test-client&entity=Patient/" + id)).isNotEmpty();
	}

	@Test
	void aRequestWithoutTokenIsAuditedAsRefused() {
		Instant start = Instant.now().minusSeconds(1);
		String missing = "no-token-" + UUID.randomUUID();
		server.anonymous().get("/Patient/" + missing).then().statusCode(401);
		JsonPath event = JsonPath.from(toJson(awaitContaining(
				"AuditEvent?outcome=4&date=ge" + start.truncatedTo(ChronoUnit.SECONDS) + "&_count=100", missing)));
		assertThat(event.getString("outcome")).isEqualTo("4");
		assertThat(event.getList("agent.name")).contains("anonymous");
		assertThat(event.getString("outcomeDesc")).contains("401");
	}

	@Test
	void aRequestOutsideTheScopesIsAuditedAsRefusedWithItsClient() {
		String id = server.with("system/Patient.c")
			.body("""
					{"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"%s"}],"gender":"female","birthDate":"1964"}
					"""
				.formatted(UUID.randomUUID()))
			.post("/Patient")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		server.with("system/Observation.rs").get("/Patient/" + id).then().statusCode(403);
		JsonPath event = JsonPath.from(toJson(awaitOne("AuditEvent?entity=Patient/" + id + "&subtype=read&outcome=4")));
		assertThat(event.getList("agent.name")).contains("test-client");
	}

	private static Map<String, Object> awaitOne(String search) {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		List<Map<String, Object>> found = entries(search);
		while (found.isEmpty() && System.nanoTime() < deadline) {
			sleep();
			found = entries(search);
		}
		assertThat(found).as(search).isNotEmpty();
		return found.get(0);
	}

	private static Map<String, Object> awaitContaining(String search, String text) {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (true) {
			for (Map<String, Object> entry : entries(search)) {
				if (toJson(entry).contains(text)) {
					return entry;
				}
			}
			assertThat(System.nanoTime()).as("%s audited in time", text).isLessThan(deadline);
			sleep();
		}
	}

	private static List<Map<String, Object>> entries(String search) {
		Response response = server.with(ADMIN).urlEncodingEnabled(false).get("/" + search);
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

	private static void sleep() {
		try {
			Thread.sleep(200);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

}
