package org.hemefhir.course;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.hemefhir.FhirIntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Patient/[id]/$treatment-timeline} on the loaded case, as chart JSON and as a
 * FHIR Bundle.
 */
class TimelineIT extends FhirIntegrationTest {

	private static final Set<String> EVENT_TYPES = Set.of("Observation", "Procedure", "CarePlan",
			"MedicationAdministration", "AdverseEvent", "Condition", "ResearchSubject");

	private String patient;

	@BeforeEach
	void findThePatient() {
		patient = search("/Patient", "identifier=" + CASE + "|patient").then()
			.statusCode(200)
			.extract()
			.path("entry[0].resource.id");
	}

	private JsonPath plain() {
		return given().queryParam("_format", "json")
			.get("/Patient/" + patient + "/$treatment-timeline")
			.then()
			.statusCode(200)
			.contentType(startsWith("application/json"))
			.extract()
			.jsonPath();
	}

	/**
	 * Number of resources of the dated event types in the case bundles, read from the
	 * files.
	 */
	private static long datedResourcesInTheCase() throws IOException {
		long count = 0;
		try (Stream<Path> files = Files.list(Path.of("sample-bundles", "case-report"))) {
			for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
				count += JsonPath.from(Files.readString(file))
					.getList("entry.resource.resourceType", String.class)
					.stream()
					.filter(EVENT_TYPES::contains)
					.count();
			}
		}
		return count;
	}

	private static Map<String, Object> event(List<Map<String, Object>> events, String kind, String start) {
		return events.stream()
			.filter(e -> kind.equals(e.get("kind")) && start.equals(e.get("start")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + kind + " on " + start));
	}

	@Test
	void everyDatedEventOfTheCaseInDateOrderWithItsTwoClocks() throws IOException {
		JsonPath timeline = plain();
		assertThat(timeline.getString("patient")).isEqualTo("Patient/" + patient);
		assertThat(timeline.getString("transplant.date")).isEqualTo("2024-06-23");
		assertThat(timeline.getList("regimens.code", String.class)).containsExactly("vdlp", "dara-va-haa", "flu-mel",
				"post-hsct-maintenance");

		List<Map<String, Object>> events = timeline.getList("events");
		assertThat((long) events.size()).isEqualTo(datedResourcesInTheCase());
		assertThat(events.stream().map(e -> (String) e.get("start")).toList()).isSorted();
		assertThat(events.stream().map(e -> (String) e.get("kind")).distinct().toList()).contains("diagnosis",
				"regimen", "administration", "blood-count", "mrd", "immunophenotype", "response", "adverse-event",
				"transplant", "transfusion", "chimerism", "genomic-variant", "study-enrolment");

		Map<String, Object> anc31 = event(events, "blood-count", "2024-05-01");
		assertThat(anc31).containsEntry("regimenDay", 31)
			.containsEntry("transplantDay", -53)
			.containsEntry("unit", "10*9/L");
		assertThat(((Map<?, ?>) anc31.get("regimen")).get("code")).isEqualTo("dara-va-haa");
		assertThat(event(events, "regimen", "2024-04-01")).containsEntry("regimenDay", 1);
		assertThat(event(events, "transplant", "2024-06-23")).containsEntry("transplantDay", 0)
			.containsEntry("regimenDay", 84);
		// Conditioning is counted on the consolidation clock (as the data's treatment-day
		// says) and toward the transplant.
		assertThat(event(events, "regimen", "2024-06-17")).containsEntry("regimenDay", 78)
			.containsEntry("transplantDay", -6);
		assertThat(event(events, "chimerism", "2024-07-21")).containsEntry("transplantDay", 28)
			.containsEntry("regimenDay", 112);
		assertThat(event(events, "mrd", "2025-02-15")).containsEntry("transplantDay", 237)
			.containsEntry("regimenDay", 321);
		// Induction events count on the induction clock.
		Map<String, Object> postInduction = event(events, "mrd", "2024-03-07");
		assertThat(postInduction).containsEntry("regimenDay", 29).containsEntry("specimen", "MAR");
		assertThat(((Map<?, ?>) postInduction.get("valueCode")).get("code")).isEqualTo("POS");
		// A date known only to the month has no day number.
		Map<String, Object> april = event(events, "adverse-event", "2024-04-01");
		assertThat(april).containsEntry("date", "2024-04")
			.containsEntry("precision", "month")
			.containsEntry("end", "2024-04-30")
			.doesNotContainKeys("regimenDay", "transplantDay");
		assertThat(april.get("grade")).isEqualTo(2);
	}

	@Test
	void eventsWhoseDateOrValueIsAssumedSaySo() {
		List<Map<String, Object>> events = plain().getList("events");
		// the letter says only that ANC exceeded 1.0 by day 31: the value is marked
		// assumed
		assertThat(event(events, "blood-count", "2024-05-01")).containsEntry("assumed", true);
		// the marrow MRD after consolidation is reported as measured: no member at all
		assertThat(event(events, "mrd", "2024-05-02")).doesNotContainKey("assumed");
		assertThat(events).allSatisfy(e -> assertThat(e.get("assumed")).isIn(true, null));
	}

	@Test
	void acceptApplicationJsonAlsoGivesThePlainShape() {
		given().accept("application/json")
			.get("/Patient/" + patient + "/$treatment-timeline")
			.then()
			.statusCode(200)
			.contentType(startsWith("application/json"))
			.body("events[0].kind", equalTo("diagnosis"));
	}

	@Test
	void theFhirFormIsACollectionBundleInTheSameOrder() {
		JsonPath bundle = fhir().get("/Patient/" + patient + "/$treatment-timeline")
			.then()
			.statusCode(200)
			.contentType(startsWith("application/fhir+json"))
			.extract()
			.jsonPath();
		assertThat(bundle.getString("resourceType")).isEqualTo("Bundle");
		assertThat(bundle.getString("type")).isEqualTo("collection");
		List<String> order = bundle.getList("entry.collect { it.resource.resourceType + '/' + it.resource.id }",
				String.class);
		assertThat(order).isEqualTo(plain().getList("events.resource", String.class));
		int anc = order.indexOf(plain().getList("events")
			.stream()
			.map(e -> (Map<?, ?>) e)
			.filter(e -> "2024-05-01".equals(e.get("start")) && "blood-count".equals(e.get("kind")))
			.findFirst()
			.map(e -> e.get("resource"))
			.orElseThrow());
		List<Map<String, Object>> position = bundle.getList("entry[" + anc + "].extension[0].extension");
		assertThat(position)
			.anySatisfy(x -> assertThat(x).containsEntry("url", "regimen-day").containsEntry("valueInteger", 31));
		assertThat(position)
			.anySatisfy(x -> assertThat(x).containsEntry("url", "transplant-day").containsEntry("valueInteger", -53));

		given().accept(FHIR_XML)
			.get("/Patient/" + patient + "/$treatment-timeline")
			.then()
			.statusCode(200)
			.contentType(startsWith("application/fhir+xml"))
			.body(containsString("<type value=\"collection\"/>"));
	}

	@Test
	void aPatientWithoutEventsHasAnEmptyTimeline() {
		String empty = createPatient(unique("timeline-empty"));
		given().queryParam("_format", "json")
			.get("/Patient/" + empty + "/$treatment-timeline")
			.then()
			.statusCode(200)
			.body("events.size()", equalTo(0))
			.body("regimens.size()", equalTo(0));
	}

	@Test
	void errorsAreOperationOutcomes() {
		fhir().get("/Patient/no-such-patient-0/$treatment-timeline")
			.then()
			.statusCode(404)
			.body("resourceType", equalTo("OperationOutcome"));
		fhir().queryParam("_format", "csv")
			.get("/Patient/" + patient + "/$treatment-timeline")
			.then()
			.statusCode(400)
			.body("resourceType", equalTo("OperationOutcome"))
			.body("issue[0].diagnostics", containsString("_format"));
	}

}
