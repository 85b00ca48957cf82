package org.hemefhir.course;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.hemefhir.FhirIntegrationTest;
import org.junit.jupiter.api.Test;

/**
 * "Day 28 of consolidation" and "day +28 after the transplant" are different searches:
 * {@code treatment-day} alone ignores the anchor; with {@code treatment-day-anchor}
 * (chained to the anchor's phase or code) it asks for one clock. HAPI JPA cannot search a
 * composite with reference or number components, so the IG uses the two parameters
 * together (a resource has at most one treatment day).
 */
class TreatmentDaySearchIT extends FhirIntegrationTest {

	private static List<String> found(String... parameters) {
		return search("/Observation", parameters).then()
			.statusCode(200)
			.extract()
			.jsonPath()
			.getList("entry.resource.id", String.class);
	}

	private static String id(String reference) {
		return reference.substring(reference.indexOf('/') + 1);
	}

	@Test
	void dayTwentyEightOfConsolidationIsNotDayPlusTwentyEightAfterTheTransplant() {
		PostedCourse course = new PostedCourse(createPatient(unique("treatment-day")));
		String induction = course.regimen("vdlp", "induction", "2024-02-08");
		String consolidation = course.regimen("dara-va-haa", "consolidation", "2024-04-01");
		String transplant = course.transplant("2024-06-23");
		String inductionDay28 = course.count("751-8", "2024-03-06", "0.4", "final", "",
				PostedCourse.treatmentDay(28, induction));
		String consolidationDay28 = course.count("751-8", "2024-04-28", "0.8", "final", "",
				PostedCourse.treatmentDay(28, consolidation));
		String transplantDay28 = course.count("751-8", "2024-07-21", "2.1", "final", "",
				PostedCourse.treatmentDay(28, transplant));
		String subject = "subject=" + course.patient;

		assertThat(found(subject, "treatment-day=28")).containsExactlyInAnyOrder(id(inductionDay28),
				id(consolidationDay28), id(transplantDay28));
		assertThat(found(subject, "treatment-day-anchor:CarePlan.treatment-phase=consolidation", "treatment-day=28"))
			.containsExactly(id(consolidationDay28));
		assertThat(found(subject, "treatment-day-anchor:Procedure.code=http://snomed.info/sct|234336002",
				"treatment-day=28"))
			.containsExactly(id(transplantDay28));
		assertThat(found(subject, "treatment-day-anchor=" + consolidation, "treatment-day=28"))
			.containsExactly(id(consolidationDay28));
		// A range on one clock: the first four weeks after the transplant.
		assertThat(found(subject, "treatment-day-anchor:Procedure.code=http://snomed.info/sct|234336002",
				"treatment-day=ge0", "treatment-day=le28"))
			.containsExactly(id(transplantDay28));
		assertThat(found(subject, "treatment-day-anchor:CarePlan.treatment-phase=consolidation", "treatment-day=27"))
			.isEmpty();
	}

}
