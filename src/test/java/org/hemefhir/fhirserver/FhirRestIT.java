package org.hemefhir.fhirserver;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import org.hemefhir.FhirIntegrationTest;
import org.junit.jupiter.api.Test;

/** The REST contract of the FHIR endpoint: interactions, search, bundles, formats. */
class FhirRestIT extends FhirIntegrationTest {

	/**
	 * A vital-sign observation outside HemeFHIR's profiles (heart rate), so only base R4
	 * applies.
	 */
	private static String heartRate(String patientId, String identifier, String date, int perMinute) {
		return """
				{"resourceType":"Observation","status":"final",
				 "identifier":[{"system":"urn:test:obs","value":"%s"}],
				 "code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},
				 "subject":{"reference":"Patient/%s"},
				 "effectiveDateTime":"%s",
				 "valueQuantity":{"value":%d,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}
				""".formatted(identifier, patientId, date, perMinute);
	}

	@Test
	void createReadVreadUpdateDeleteWithEtagAndLocation() {
		String mrn = unique("crud");
		Response created = fhir().body(patientJson(mrn)).post("/Patient");
		created.then()
			.statusCode(201)
			.header("ETag", "W/\"1\"")
			.header("Location", containsString("/fhir/Patient/"))
			.header("Location", containsString("/_history/1"));
		String id = created.path("id");

		fhir().get("/Patient/" + id)
			.then()
			.statusCode(200)
			.header("ETag", "W/\"1\"")
			.body("identifier[0].value", equalTo(mrn));

		String updated = patientJson(mrn).replace("\"female\"", "\"other\"")
			.replace("{\"resourceType\":\"Patient\",", "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",");
		fhir().body(updated)
			.put("/Patient/" + id)
			.then()
			.statusCode(200)
			.header("ETag", "W/\"2\"")
			.body("gender", equalTo("other"));

		fhir().get("/Patient/" + id + "/_history/1")
			.then()
			.statusCode(200)
			.body("gender", equalTo("female"))
			.body("meta.versionId", equalTo("1"));
		fhir().get("/Patient/" + id + "/_history/2").then().statusCode(200).body("gender", equalTo("other"));

		fhir().delete("/Patient/" + id).then().statusCode(200);
		fhir().get("/Patient/" + id).then().statusCode(410);
		fhir().get("/Patient/" + id + "/_history/1").then().statusCode(200);
	}

	@Test
	void instanceAndTypeHistory() {
		String mrn = unique("hist");
		String id = createPatient(mrn);
		String body = patientJson(mrn).replace("{\"resourceType\":\"Patient\",",
				"{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"active\":true,");
		fhir().body(body).put("/Patient/" + id).then().statusCode(200);

		fhir().get("/Patient/" + id + "/_history")
			.then()
			.statusCode(200)
			.body("type", equalTo("history"))
			.body("total", equalTo(2))
			.body("entry.resource.meta.versionId", equalTo(List.of("2", "1")));

		fhir().get("/Patient/_history?_count=100")
			.then()
			.statusCode(200)
			.body("type", equalTo("history"))
			.body("entry.resource.id", hasItem(id));
	}

	@Test
	void ifMatchWithStaleVersionIsRefused() {
		String mrn = unique("lock");
		String id = createPatient(mrn);
		String v2 = patientJson(mrn).replace("{\"resourceType\":\"Patient\",",
				"{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"active\":true,");
		fhir().header("If-Match", "W/\"1\"")
			.body(v2)
			.put("/Patient/" + id)
			.then()
			.statusCode(200)
			.header("ETag", "W/\"2\"");

		String stale = v2.replace("\"active\":true", "\"active\":false");
		int status = fhir().header("If-Match", "W/\"1\"")
			.body(stale)
			.put("/Patient/" + id)
			.then()
			.extract()
			.statusCode();
		assertThat(status).as("HTTP's answer to a failed If-Match").isEqualTo(412);
		fhir().get("/Patient/" + id).then().body("active", equalTo(true)).body("meta.versionId", equalTo("2"));
	}

	@Test
	void conditionalCreateIsIdempotentOnRetry() {
		String mrn = unique("cc");
		String first = fhir().header("If-None-Exist", "identifier=urn:test:mrn|" + mrn)
			.body(patientJson(mrn))
			.post("/Patient")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		Response retry = fhir().header("If-None-Exist", "identifier=urn:test:mrn|" + mrn)
			.body(patientJson(mrn))
			.post("/Patient");
		retry.then().statusCode(200);
		assertThat(retry.header("Location")).contains("/Patient/" + first + "/");

		fhir().get("/Patient?identifier=urn:test:mrn|" + mrn + "&_summary=count").then().body("total", equalTo(1));
	}

	@Test
	void conditionalUpdateCreatesThenUpdatesTheSameResource() {
		String mrn = unique("cu");
		String url = "/Patient?identifier=urn:test:mrn|" + mrn;
		String id = fhir().body(patientJson(mrn)).put(url).then().statusCode(201).extract().path("id");
		String changed = patientJson(mrn).replace("\"female\"", "\"unknown\"");
		fhir().body(changed)
			.put(url)
			.then()
			.statusCode(200)
			.body("id", equalTo(id))
			.body("meta.versionId", equalTo("2"));
		fhir().get(url + "&_summary=count").then().body("total", equalTo(1));
	}

	@Test
	void searchByTokenReferenceDateQuantitySortAndCount() {
		String mrn = unique("search");
		String patient = createPatient(mrn);
		String tag = unique("hr");
		for (int day = 1; day <= 5; day++) {
			fhir().body(heartRate(patient, tag + "-" + day, "2024-04-0" + day + "T08:00:00Z", 60 + day * 5))
				.post("/Observation")
				.then()
				.statusCode(201);
		}

		fhir().get("/Patient?identifier=urn:test:mrn|" + mrn)
			.then()
			.body("total", equalTo(1))
			.body("entry[0].resource.id", equalTo(patient));
		fhir().get("/Observation?identifier=urn:test:obs|" + tag + "-3").then().body("total", equalTo(1));
		fhir().get("/Observation?patient=" + patient + "&_summary=count").then().body("total", equalTo(5));
		fhir().get("/Observation?subject=Patient/" + patient + "&date=ge2024-04-02&date=le2024-04-04&_summary=count")
			.then()
			.body("total", equalTo(3));
		fhir()
			.get("/Observation?patient=" + patient
					+ "&value-quantity=ge80|http://unitsofmeasure.org|/min&_summary=count")
			.then()
			.body("total", equalTo(2));

		JsonPath ascending = fhir().get("/Observation?patient=" + patient + "&_sort=date")
			.then()
			.statusCode(200)
			.extract()
			.jsonPath();
		assertThat(ascending.getList("entry.resource.effectiveDateTime", String.class)).isSorted();
		List<Integer> descending = fhir().get("/Observation?patient=" + patient + "&_sort=-date")
			.then()
			.extract()
			.jsonPath()
			.getList("entry.resource.valueQuantity.value", Integer.class);
		assertThat(descending).containsExactly(85, 80, 75, 70, 65);
	}

	/**
	 * More matches than HAPI's default first pass (13): the first page already knows them
	 * all (its total), so the next pages are read from the stored results instead of
	 * waiting for another pass.
	 */
	@Test
	void pagingFollowsNextLinksThroughAllResults() {
		String patient = createPatient(unique("paging"));
		String tag = unique("page");
		for (int i = 0; i < 25; i++) {
			fhir().body(heartRate(patient, tag + i, "2024-05-%02d".formatted(i + 1), 70))
				.post("/Observation")
				.then()
				.statusCode(201);
		}
		List<String> seen = new ArrayList<>();
		JsonPath page = fhir().get("/Observation?patient=" + patient + "&_count=10&_sort=date")
			.then()
			.statusCode(200)
			.extract()
			.jsonPath();
		assertThat(page.getInt("total")).isEqualTo(25);
		int pages = 1;
		seen.addAll(page.getList("entry.resource.id", String.class));
		String next = nextLink(page);
		while (next != null) {
			page = given().accept(FHIR_JSON).get(next).then().statusCode(200).extract().jsonPath();
			seen.addAll(page.getList("entry.resource.id", String.class));
			next = nextLink(page);
			pages++;
		}
		assertThat(pages).isEqualTo(3);
		assertThat(seen).hasSize(25).doesNotHaveDuplicates();
	}

	private static String nextLink(JsonPath page) {
		return page.getString("link.find { it.relation == 'next' }.url");
	}

	@Test
	void includeRevincludeAndChainedSearch() {
		String mrn = unique("chain");
		String patient = createPatient(mrn);
		String tag = unique("inc");
		fhir().body(heartRate(patient, tag, "2024-06-01", 72)).post("/Observation").then().statusCode(201);

		fhir().get("/Observation?identifier=urn:test:obs|" + tag + "&_include=Observation:patient")
			.then()
			.body("entry.resource.resourceType", equalTo(List.of("Observation", "Patient")))
			.body("entry[1].search.mode", equalTo("include"));
		fhir().get("/Patient?_id=" + patient + "&_revinclude=Observation:patient")
			.then()
			.body("entry.resource.resourceType", equalTo(List.of("Patient", "Observation")));
		fhir().get("/Observation?subject:Patient.identifier=urn:test:mrn|" + mrn)
			.then()
			.body("total", equalTo(1))
			.body("entry[0].resource.identifier[0].value", equalTo(tag));
		fhir().get("/Patient?identifier=urn:test:mrn|" + mrn + "&_summary=count")
			.then()
			.body("total", equalTo(1))
			.body("entry", org.hamcrest.Matchers.nullValue());
	}

	@Test
	void transactionIsAtomicAndResolvesUrnUuidReferences() {
		String mrn = unique("tx");
		String tag = unique("txobs");
		String bad = """
				{"resourceType":"Bundle","type":"transaction","entry":[
				 {"fullUrl":"urn:uuid:11111111-1111-1111-1111-111111111111","resource":%s,"request":{"method":"POST","url":"Patient"}},
				 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"identifier":[{"system":"urn:test:obs","value":"%s"}],
				   "subject":{"reference":"Patient/does-not-exist"}},"request":{"method":"POST","url":"Observation"}}]}
				"""
			.formatted(patientJson(mrn), tag);
		int status = fhir().body(bad).post("/").then().extract().statusCode();
		assertThat(status).isBetween(400, 499);
		fhir().get("/Patient?identifier=urn:test:mrn|" + mrn + "&_summary=count").then().body("total", equalTo(0));

		String good = bad.replace("Patient/does-not-exist", "urn:uuid:11111111-1111-1111-1111-111111111111");
		JsonPath response = fhir().body(good)
			.post("/")
			.then()
			.statusCode(200)
			.body("type", equalTo("transaction-response"))
			.extract()
			.jsonPath();
		assertThat(response.getList("entry.response.status", String.class)).allMatch(s -> s.startsWith("201"));
		String patientLocation = response.getString("entry[0].response.location");
		String patientId = patientLocation.split("/")[1];
		fhir().get("/Observation?identifier=urn:test:obs|" + tag)
			.then()
			.body("entry[0].resource.subject.reference", equalTo("Patient/" + patientId));
	}

	@Test
	void batchAnswersEachEntryOnItsOwn() {
		String mrn = unique("batch");
		String batch = """
				{"resourceType":"Bundle","type":"batch","entry":[
				 {"resource":%s,"request":{"method":"POST","url":"Patient"}},
				 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/does-not-exist"}},
				  "request":{"method":"POST","url":"Observation"}}]}
				"""
			.formatted(patientJson(mrn));
		JsonPath response = fhir().body(batch)
			.post("/")
			.then()
			.statusCode(200)
			.body("type", equalTo("batch-response"))
			.extract()
			.jsonPath();
		assertThat(response.getString("entry[0].response.status")).startsWith("201");
		assertThat(response.getString("entry[1].response.status")).startsWith("4");
		assertThat(response.getString("entry[1].response.outcome.resourceType")).isEqualTo("OperationOutcome");
		fhir().get("/Patient?identifier=urn:test:mrn|" + mrn + "&_summary=count").then().body("total", equalTo(1));
	}

	@Test
	void jsonAndXmlBothWaysAndFormatParameter() {
		String mrn = unique("xml");
		String xml = """
				<Patient xmlns="http://hl7.org/fhir">
				  <identifier><system value="urn:test:mrn"/><value value="%s"/></identifier>
				  <gender value="female"/><birthDate value="1964"/>
				</Patient>""".formatted(mrn);
		String id = given().contentType(FHIR_XML)
			.accept(FHIR_XML)
			.body(xml)
			.post("/Patient")
			.then()
			.statusCode(201)
			.contentType(startsWith(FHIR_XML))
			.extract()
			.xmlPath()
			.getString("Patient.id.@value");
		fhir().get("/Patient/" + id)
			.then()
			.contentType(startsWith(FHIR_JSON))
			.body("identifier[0].value", equalTo(mrn));
		given().get("/Patient/" + id + "?_format=xml")
			.then()
			.contentType(startsWith(FHIR_XML))
			.body(containsString("<Patient xmlns=\"http://hl7.org/fhir\">"));
		given().get("/Patient/" + id + "?_format=json")
			.then()
			.contentType(startsWith(FHIR_JSON))
			.body("gender", equalTo("female"));
	}

	@Test
	void preferHeaderChoosesTheResponseBody() {
		fhir().header("Prefer", "return=minimal")
			.body(patientJson(unique("min")))
			.post("/Patient")
			.then()
			.statusCode(201)
			.header("Location", containsString("/Patient/"))
			.body(emptyOrNullString());
		fhir().header("Prefer", "return=representation")
			.body(patientJson(unique("rep")))
			.post("/Patient")
			.then()
			.statusCode(201)
			.body("resourceType", equalTo("Patient"));
		fhir().header("Prefer", "return=OperationOutcome")
			.body(patientJson(unique("oo")))
			.post("/Patient")
			.then()
			.statusCode(201)
			.body("resourceType", equalTo("OperationOutcome"))
			.body("issue", not(org.hamcrest.Matchers.empty()));
	}

}
