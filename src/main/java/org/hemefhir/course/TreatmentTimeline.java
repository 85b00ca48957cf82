package org.hemefhir.course;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.hemefhir.course.PatientCourse.Regimen;
import org.hl7.fhir.r4.model.AdverseEvent;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.ResearchSubject;
import org.hl7.fhir.r4.model.Type;

/**
 * Every event of a patient's course in date order, each placed on the two clocks
 * clinicians use: the day of its regimen (day 1 = first day) and the day relative to the
 * transplant (day 0 = infusion). This is the plain-JSON shape of
 * {@code $treatment-timeline} (docs/research.md).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record TreatmentTimeline(String patient, List<RegimenEntry> regimens, TransplantEntry transplant, List<Event> events) {

	/** Event kinds, in the order they are listed on the same day. */
	static final List<String> KINDS = List.of("diagnosis", "regimen", "administration", "transfusion", "transplant",
			"blood-count", "mrd", "immunophenotype", "chimerism", "genomic-variant", "response", "adverse-event",
			"procedure", "observation", "study-enrolment");

	@JsonInclude(JsonInclude.Include.NON_NULL)
	record RegimenEntry(String reference, String code, String label, String phase, String start, String end) {
	}

	record TransplantEntry(String reference, String date) {
	}

	@JsonInclude(JsonInclude.Include.NON_NULL)
	record RegimenRef(String reference, String code, String label) {
	}

	/**
	 * One event. {@code date} is as recorded; {@code start}/{@code end} are the first and
	 * last day it covers (a month-precision date covers the month); day numbers are given
	 * only for dates known to the day.
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Event(String date, String start, String end, String precision, String kind, String label, CodeEntry code,
			BigDecimal value, String unit, CodeEntry valueCode, String status, String specimen, Integer grade,
			RegimenRef regimen, Integer regimenDay, Integer transplantDay, String resource, Boolean assumed) {
	}

	@JsonInclude(JsonInclude.Include.NON_NULL)
	record CodeEntry(String system, String code, String display) {
		static CodeEntry of(CodeableConcept concept) {
			if (concept == null || !concept.hasCoding()) {
				return null;
			}
			Coding c = concept.getCodingFirstRep();
			return new CodeEntry(c.getSystem(), c.getCode(), c.hasDisplay() ? c.getDisplay() : concept.getText());
		}
	}

	/**
	 * An event together with the resource it came from (the Bundle form lists the
	 * resources).
	 */
	record Placed(Event event, DomainResource resource) {
	}

	static final Set<String> BLOOD_COUNTS = Set.of("751-8", "26499-4", "777-3", "26515-7", "6690-2", "718-7");

	static List<Placed> place(PatientCourse course) {
		List<Placed> placed = new ArrayList<>();
		Assumptions assumptions = new Assumptions(course);
		for (CarePlan plan : course.carePlans) {
			Regimen self = course.regimens.stream().filter(r -> r.carePlan() == plan).findFirst().orElse(null);
			String label = self != null ? self.label() : plan.getTitle();
			Coding regimenCode = PatientCourse.coding(plan.getExtensionByUrl(PatientCourse.SD + "regimen-code"));
			CodeEntry code = regimenCode == null ? null
					: new CodeEntry(regimenCode.getSystem(), regimenCode.getCode(), regimenCode.getDisplay());
			add(placed, course, assumptions, plan, plan.getPeriod(), "regimen", label, code, null, null, null, null,
					null, self);
		}
		for (MedicationAdministration ma : course.administrations) {
			if (ma.getStatus() == MedicationAdministration.MedicationAdministrationStatus.ENTEREDINERROR) {
				continue;
			}
			CodeableConcept med = ma.hasMedicationCodeableConcept() ? ma.getMedicationCodeableConcept() : null;
			add(placed, course, assumptions, ma, ma.getEffective(), "administration",
					med == null ? "administration" : PatientCourse.term(med), CodeEntry.of(med), null, null, null, null,
					null, null);
		}
		for (Procedure p : course.procedures) {
			if (p.getStatus() == Procedure.ProcedureStatus.ENTEREDINERROR) {
				continue;
			}
			String kind = PatientCourse.hasCode(p.getCode(), PatientCourse.SNOMED, PatientCourse.HSCT_CODES)
					? "transplant"
					: PatientCourse.hasCode(p.getCode(), PatientCourse.SNOMED, PatientCourse.TRANSFUSION_CODES)
							? "transfusion" : "procedure";
			add(placed, course, assumptions, p, p.getPerformed(), kind, PatientCourse.term(p.getCode()),
					CodeEntry.of(p.getCode()), null, null, null, null, null, null);
		}
		for (Observation o : course.observations) {
			if (o.getStatus() == Observation.ObservationStatus.ENTEREDINERROR) {
				continue; // never happened
			}
			String kind = observationKind(o);
			// A result that is not (yet) final is on the timeline without its value.
			boolean counts = PatientCourse.isFinal(o);
			BigDecimal value = counts && o.hasValueQuantity() ? o.getValueQuantity().getValue() : null;
			String unit = value != null ? o.getValueQuantity().getCode() : null;
			CodeEntry coded = counts && o.hasValueCodeableConcept() ? CodeEntry.of(o.getValueCodeableConcept()) : null;
			String specimen = o.hasSpecimen() ? course.specimenType(o) : null;
			add(placed, course, assumptions, o, o.getEffective(), kind, PatientCourse.term(o.getCode()),
					CodeEntry.of(o.getCode()), value, unit, coded,
					counts || !o.hasStatus() ? null : o.getStatus().toCode(), specimen, null, null);
		}
		for (AdverseEvent ae : course.adverseEvents) {
			add(placed, course, assumptions, ae, ae.getDateElement(), "adverse-event",
					PatientCourse.term(ae.getEvent()), CodeEntry.of(ae.getEvent()), null, null, null, null,
					PatientCourse.grade(ae), null);
		}
		for (Condition c : course.conditions) {
			add(placed, course, assumptions, c, PatientCourse.diagnosisDate(c), "diagnosis",
					PatientCourse.term(c.getCode()), CodeEntry.of(c.getCode()), null, null, null, null, null, null);
		}
		for (ResearchSubject s : course.researchSubjects) {
			add(placed, course, assumptions, s, s.getPeriod(), "study-enrolment",
					s.getStudy().hasDisplay() ? s.getStudy().getDisplay() : "study enrolment", null, null, null, null,
					null, null, null);
		}
		placed.sort(Comparator.comparing((Placed p) -> p.event().start())
			.thenComparing(p -> KINDS.indexOf(p.event().kind()))
			.thenComparing(p -> p.event().resource()));
		return placed;
	}

	static TreatmentTimeline of(PatientCourse course, List<Placed> placed) {
		List<RegimenEntry> regimens = course.regimens.stream()
			.map(r -> new RegimenEntry(r.reference(), r.code(), r.label(), r.phase(), r.start().toString(),
					r.carePlan().getPeriod().hasEnd() ? r.carePlan().getPeriod().getEndElement().getValueAsString()
							: null))
			.toList();
		TransplantEntry transplant = course.transplant.map(t -> new TransplantEntry(t.reference(), t.date().toString()))
			.orElse(null);
		return new TreatmentTimeline(course.patient, regimens, transplant, placed.stream().map(Placed::event).toList());
	}

	static String observationKind(Observation o) {
		CodeableConcept code = o.getCode();
		String cs = PatientCourse.CS + "observation-code";
		if (PatientCourse.hasCode(code, PatientCourse.LOINC, BLOOD_COUNTS)) {
			return "blood-count";
		}
		if (PatientCourse.hasCode(code, PatientCourse.LOINC, PatientCourse.MRD_FLOW)
				|| PatientCourse.hasCode(code, cs, Set.of(PatientCourse.MRD_FLOW_PRESENCE, "mrd-ngs", "mrd-pcr"))) {
			return "mrd";
		}
		if (PatientCourse.hasCode(code, PatientCourse.LOINC, "51298-8")
				|| PatientCourse.hasCode(code, cs, Set.of("cd38-abnormal-cells", "cd38-positive-cells"))) {
			return "immunophenotype";
		}
		if (PatientCourse.hasCode(code, PatientCourse.LOINC, PatientCourse.RESPONSE)) {
			return "response";
		}
		if (PatientCourse.hasCode(code, PatientCourse.LOINC, PatientCourse.VARIANT)) {
			return "genomic-variant";
		}
		if (PatientCourse.hasCode(code, cs, "donor-chimerism")) {
			return "chimerism";
		}
		return "observation";
	}

	private static void add(List<Placed> placed, PatientCourse course, Assumptions assumptions, DomainResource resource,
			Type when, String kind, String label, CodeEntry code, BigDecimal value, String unit, CodeEntry valueCode,
			String specimen, Integer grade, Regimen self) {
		add(placed, course, assumptions, resource, when, kind, label, code, value, unit, valueCode, null, specimen,
				grade, self);
	}

	private static void add(List<Placed> placed, PatientCourse course, Assumptions assumptions, DomainResource resource,
			Type when, String kind, String label, CodeEntry code, BigDecimal value, String unit, CodeEntry valueCode,
			String status, String specimen, Integer grade, Regimen self) {
		PartialDate date = PatientCourse.date(when);
		if (date == null) {
			return; // an undated resource has no place on a timeline
		}
		LocalDate last = date.last();
		if (when instanceof Period period && period.hasEnd()) {
			last = PartialDate.of(period.getEndElement().getValueAsString()).last();
		}
		Optional<Regimen> regimen = course.namedRegimen(resource);
		if (regimen.isEmpty() && self != null && !PatientCourse.NOT_ANCHORS.contains(self.phase())) {
			regimen = Optional.of(self);
		}
		if (regimen.isEmpty()) {
			regimen = course.regimenAt(date.first());
		}
		Integer regimenDay = null;
		Integer transplantDay = null;
		if (date.exact()) {
			regimenDay = regimen.map(r -> (int) OutcomeRules.regimenDay(date.first(), r.start())).orElse(null);
			transplantDay = course.transplant.map(t -> (int) OutcomeRules.transplantDay(date.first(), t.date()))
				.orElse(null);
		}
		String reference = PatientCourse.ref(resource);
		String precision = date.exact() ? "day" : date.first().getMonth() == date.last().getMonth() ? "month" : "year";
		placed.add(new Placed(
				new Event(date.text(), date.first().toString(), last.equals(date.first()) ? null : last.toString(),
						precision, kind, label, code, value, unit, valueCode, status, specimen, grade,
						regimen.map(r -> new RegimenRef(r.reference(), r.code(), r.label())).orElse(null), regimenDay,
						transplantDay, reference, assumptions.isAssumed(reference) ? Boolean.TRUE : null),
				resource));
	}
}
