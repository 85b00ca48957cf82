package org.hemefhir.course;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.hemefhir.course.Assumptions.Assumption;
import org.hl7.fhir.r4.model.AdverseEvent;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;

/**
 * Which values the rules read are assumed: element marks first, the tag as a fallback.
 */
class AssumptionsTest {

	private static int next = 1;

	private static Extension mark(String text) {
		return new Extension(Assumptions.EXTENSION, new StringType(text));
	}

	private static Observation observation() {
		Observation o = new Observation();
		o.setId("Observation/" + next++);
		o.setEffective(new DateTimeType("2024-04-06"));
		o.setValue(new Quantity(1.5));
		return o;
	}

	private static Observation tagged(Observation o) {
		o.getMeta().addTag(Assumptions.DATA_ORIGIN, "assumed", null);
		return o;
	}

	private static Assumptions of(Observation... observations) {
		return new Assumptions(new PatientCourse("Patient/1", List.of(observations), List.of(), List.of(), List.of(),
				List.of(), List.of(), List.of(), List.of()));
	}

	@Test
	void aMarkOnAPrimitiveInsideTheValueIsFoundWithItsText() {
		Observation o = tagged(observation());
		((Quantity) o.getValue()).getValueElement().addExtension(mark("placeholder above the threshold"));
		assertThat(of(o).of("Observation/" + o.getIdPart())).containsExactly(
				new Assumption(PatientCourse.ref(o), "Observation.value[x]", "placeholder above the threshold"));
	}

	@Test
	void aMarkOnAnElementNoRuleReadsLeavesTheResourceReported() {
		Observation o = tagged(observation());
		Annotation note = o.addNote().setText("a comment");
		note.addExtension(mark("the note is ours"));
		assertThat(of(o).isAssumed(PatientCourse.ref(o))).isFalse();
	}

	@Test
	void theTagAloneCountsOnlyWithoutElementDetail() {
		Observation o = tagged(observation());
		List<Assumption> found = of(o).of(PatientCourse.ref(o));
		assertThat(found).singleElement().satisfies(a -> {
			assertThat(a.element()).isEqualTo("Observation");
			assertThat(a.text()).contains("data-origin|assumed");
		});
		assertThat(of(observation()).of(List.of("Observation/999"))).isEmpty();
	}

	@Test
	void aMarkOnTheResourceCoversEverything() {
		Observation o = observation();
		o.addExtension(mark("the whole result is reconstructed"));
		assertThat(of(o).of(PatientCourse.ref(o))).extracting(Assumption::text)
			.containsExactly("the whole result is reconstructed");
	}

	@Test
	void aGradeMarkedOnTheGradeExtensionOrItsCodeIsAssumed() {
		AdverseEvent onExtension = new AdverseEvent();
		onExtension.setId("AdverseEvent/1");
		Extension grade = onExtension.addExtension()
			.setUrl(PatientCourse.SD + "ctcae-grade")
			.setValue(new CodeableConcept(new Coding(PatientCourse.CS + "ctcae-grade", "3", null)));
		grade.addExtension(mark("grade inferred from the transfusion"));
		AdverseEvent onCode = new AdverseEvent();
		onCode.setId("AdverseEvent/2");
		Coding code = new Coding(PatientCourse.CS + "ctcae-grade", "2", null);
		code.getCodeElement().addExtension(mark("grade 2 assumed"));
		onCode.addExtension(PatientCourse.SD + "ctcae-grade", new CodeableConcept(code));
		Assumptions assumptions = new Assumptions(new PatientCourse("Patient/1", List.of(), List.of(), List.of(),
				List.of(), List.of(onExtension, onCode), List.of(), List.of(), List.of()));
		assertThat(assumptions.of("AdverseEvent/1")).extracting(Assumption::text)
			.containsExactly("grade inferred from the transfusion");
		assertThat(assumptions.of("AdverseEvent/2")).extracting(Assumption::element)
			.containsExactly("AdverseEvent.extension:ctcae-grade");
	}

}
