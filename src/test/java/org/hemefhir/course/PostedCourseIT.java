package org.hemefhir.course;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hemefhir.course.OutcomesIT.all;
import static org.hemefhir.course.OutcomesIT.one;
import static org.hemefhir.course.OutcomesIT.outcomes;
import static org.hemefhir.course.OutcomesIT.parts;
import static org.hemefhir.course.OutcomesIT.string;
import static org.hemefhir.course.OutcomesIT.value;
import static org.hemefhir.course.PostedCourse.TAGGED_ASSUMED;
import static org.hemefhir.course.PostedCourse.assumed;

import java.util.List;
import java.util.Map;
import org.hemefhir.FhirIntegrationTest;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code $outcomes} and {@code $treatment-timeline} on courses the tests POST: result
 * status, assumed values and the 0.2.0 codes, independent of the case data.
 */
class PostedCourseIT extends FhirIntegrationTest {

	private PostedCourse course;

	private String consolidation;

	@BeforeEach
	void newPatientInConsolidation() {
		course = new PostedCourse(createPatient(unique("posted-course")));
		consolidation = course.regimen("dara-va-haa", "consolidation", "2024-04-01");
	}

	private String patientId() {
		return course.patient.substring("Patient/".length());
	}

	private List<Map<String, Object>> timelineEvents() {
		return given().queryParam("_format", "json")
			.get("/" + course.patient + "/$treatment-timeline")
			.then()
			.statusCode(200)
			.extract()
			.jsonPath()
			.getList("events");
	}

	private static Map<String, Object> eventOf(List<Map<String, Object>> events, String resource) {
		return events.stream()
			.filter(e -> resource.equals(e.get("resource")))
			.findFirst()
			.orElseThrow(() -> new AssertionError(resource + " is not on the timeline"));
	}

	@Test
	void onlyFinalAmendedAndCorrectedCountsDecideNeutrophilRecovery() {
		course.anc("2024-04-05", "0.2", "final");
		String preliminary = course.anc("2024-04-06", "1.5", "preliminary");
		course.anc("2024-04-07", "1.5", "registered");
		String amended = course.anc("2024-04-08", "1.5", "amended");
		String error = course.anc("2024-04-09", "0.1", "entered-in-error");
		course.anc("2024-04-09", "0.1", "cancelled");
		String corrected = course.anc("2024-04-10", "1.5", "corrected");
		String last = course.anc("2024-04-11", "1.5", "final");

		ParametersParameterComponent anc = one(outcomes(patientId(), "anc-threshold=1.0"), "neutrophil-recovery");
		// Counting the preliminary and registered results would make it 2024-04-06.
		assertThat(value(anc, "date")).isEqualTo("2024-04-08");
		assertThat(parts(anc, "source").stream().map(OutcomesIT::string)).containsExactly(amended, corrected, last);

		List<Map<String, Object>> events = timelineEvents();
		assertThat(events).noneMatch(e -> error.equals(e.get("resource")));
		assertThat(eventOf(events, preliminary)).containsEntry("status", "preliminary")
			.doesNotContainKeys("value", "unit");
		assertThat(eventOf(events, amended)).doesNotContainKey("status").containsKey("value");
	}

	@Test
	void aPreliminaryPlateletCountDoesNotMakeRecoveryEarlier() {
		course.count("777-3", "2024-04-05", "20", "final", "", "");
		course.count("777-3", "2024-04-06", "150", "preliminary", "", "");
		course.count("777-3", "2024-04-07", "150", "registered", "", "");
		String counted = course.count("777-3", "2024-04-12", "150", "final", "", "");
		ParametersParameterComponent plt = one(outcomes(patientId(), "platelet-threshold=100"), "platelet-recovery");
		assertThat(value(plt, "date")).isEqualTo("2024-04-12");
		assertThat(value(plt, "source")).isEqualTo(counted);
	}

	@Test
	void qualitativeFlowMrdConvertsOnTheFirstFinalNegativeAndIsOnTheTimeline() {
		String marrow = course.specimen("MAR");
		String positive = course.mrdPresence(marrow, "2024-04-02", "POS", "final");
		String preliminary = course.mrdPresence(marrow, "2024-04-15", "NEG", "preliminary");
		String negative = course.mrdPresence(marrow, "2024-04-20", "ND", "final");
		String again = course.mrdPresence(marrow, "2024-05-20", "DET", "final");
		String cd38 = course.cd38(marrow, "2024-04-20", "0.0");

		ParametersParameterComponent mrd = one(outcomes(patientId()), "mrd-conversion");
		assertThat(value(mrd, "status")).isEqualTo("reached");
		assertThat(value(mrd, "date")).isEqualTo("2024-04-20");
		assertThat(value(mrd, "regimen-day")).isEqualTo("20");
		assertThat(parts(mrd, "source").stream().map(OutcomesIT::string)).containsExactly(positive, negative);
		assertThat(value(mrd, "note")).contains("positive again on 2024-05-20", again);

		List<Map<String, Object>> events = timelineEvents();
		assertThat(eventOf(events, negative)).containsEntry("kind", "mrd").containsEntry("specimen", "MAR");
		assertThat(eventOf(events, preliminary)).containsEntry("kind", "mrd").doesNotContainKey("valueCode");
		assertThat(eventOf(events, cd38)).containsEntry("kind", "immunophenotype");
	}

	@Test
	void anAssumedDateIsReportedAndCanBeLeftOut() {
		course.anc("2024-04-05", "0.2", "final");
		String assumedDay = course.count("751-8", "2024-04-06", "1.5", "final", TAGGED_ASSUMED,
				",\"_effectiveDateTime\":{\"extension\":[" + assumed("the letter gives only the day number") + "]}");
		String second = course.anc("2024-04-07", "1.5", "final");
		course.anc("2024-04-08", "1.5", "final");
		course.anc("2024-04-10", "1.5", "final");

		Parameters included = outcomes(patientId(), "anc-threshold=1.0");
		assertThat(value(one(included, "assumed-values"), "mode")).isEqualTo("include");
		ParametersParameterComponent anc = one(included, "neutrophil-recovery");
		assertThat(value(anc, "date")).isEqualTo("2024-04-06");
		assertThat(value(anc, "assumed")).isEqualTo("true");
		ParametersParameterComponent why = parts(anc, "assumption").get(0);
		assertThat(value(why, "source")).isEqualTo(assumedDay);
		assertThat(value(why, "element")).isEqualTo("Observation.effective[x]");
		assertThat(value(why, "text")).isEqualTo("the letter gives only the day number");
		assertThat(parts(anc, "assumption")).hasSize(1);

		Parameters reportedOnly = outcomes(patientId(), "anc-threshold=1.0", "assumed=exclude");
		ParametersParameterComponent mode = one(reportedOnly, "assumed-values");
		assertThat(value(mode, "mode")).isEqualTo("exclude");
		assertThat(value(mode, "left-out")).isEqualTo(assumedDay);
		anc = one(reportedOnly, "neutrophil-recovery");
		assertThat(value(anc, "date")).isEqualTo("2024-04-07");
		assertThat(string(parts(anc, "source").get(0))).isEqualTo(second);
		assertThat(value(anc, "assumed")).isEqualTo("false");
		assertThat(value(anc, "rule")).contains("assumed values left out");
	}

	@Test
	void aResourceTaggedAssumedWithoutMarkedElementsCountsAsAssumed() {
		String tagged = course.count("777-3", "2024-04-06", "150", "final", TAGGED_ASSUMED, "");
		ParametersParameterComponent plt = one(outcomes(patientId(), "platelet-threshold=100"), "platelet-recovery");
		assertThat(value(plt, "assumed")).isEqualTo("true");
		assertThat(value(parts(plt, "assumption").get(0), "source")).isEqualTo(tagged);
		assertThat(value(parts(plt, "assumption").get(0), "text")).contains("data-origin|assumed");
		assertThat(value(one(outcomes(patientId(), "platelet-threshold=100", "assumed=exclude"), "platelet-recovery"),
				"status"))
			.isEqualTo("not-reached");
	}

	@Test
	void anAssumedGradeIsReportedAndCanBeLeftOut() {
		String assumedGrade = course.anemia("2024-04-11", 3, consolidation,
				assumed("the letter names the event, not its grade"));
		String reportedGrade = course.anemia("2024-04-20", 2, consolidation, "");

		Parameters included = outcomes(patientId());
		ParametersParameterComponent byTerm = one(included, "worst-grade-by-term");
		assertThat(value(byTerm, "grade")).isEqualTo("3");
		assertThat(value(byTerm, "assumed")).isEqualTo("true");
		assertThat(value(parts(byTerm, "assumption").get(0), "element"))
			.isEqualTo("AdverseEvent.extension:ctcae-grade");
		assertThat(value(parts(byTerm, "assumption").get(0), "source")).isEqualTo(assumedGrade);
		assertThat(value(one(included, "worst-grade-by-regimen"), "assumed")).isEqualTo("true");

		Parameters reportedOnly = outcomes(patientId(), "assumed=exclude");
		byTerm = one(reportedOnly, "worst-grade-by-term");
		assertThat(value(byTerm, "grade")).isEqualTo("2");
		assertThat(value(byTerm, "source")).isEqualTo(reportedGrade);
		assertThat(value(byTerm, "assumed")).isEqualTo("false");
		assertThat(all(reportedOnly, "worst-grade-by-regimen")).hasSize(1);
	}

	@Test
	void anUnknownAssumedModeIsA400() {
		search("/" + course.patient + "/$outcomes", "assumed=maybe").then()
			.statusCode(400)
			.body("resourceType", equalTo("OperationOutcome"))
			.body("issue[0].diagnostics", containsString("assumed"))
			.body("issue[0].diagnostics", containsString("'exclude'"));
	}

}
