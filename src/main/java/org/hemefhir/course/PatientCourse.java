package org.hemefhir.course;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.hemefhir.validation.IgTerminology;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AdverseEvent;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ResearchSubject;
import org.hl7.fhir.r4.model.Specimen;
import org.hl7.fhir.r4.model.Type;

/**
 * One patient's stored course, read once per request, with the HemeFHIR codes and
 * extensions (fhir-profiles/CONTRACT.md) interpreted: regimens, the transplant, counts,
 * MRD, grades.
 */
final class PatientCourse {

	static final String SD = "http://hemefhir.org/fhir/StructureDefinition/";
	static final String CS = "http://hemefhir.org/fhir/CodeSystem/";
	static final String LOINC = "http://loinc.org";
	static final String SNOMED = "http://snomed.info/sct";
	static final String ANC = "751-8";
	static final String PLATELETS = "777-3";
	static final String MRD_FLOW = "67128-9";

	/** Qualitative flow MRD (POS/NEG/DET/ND) where the source gives no percentage. */
	static final String MRD_FLOW_PRESENCE = "mrd-flow-presence";
	static final String RESPONSE = "97509-4";
	static final String VARIANT = "69548-6";
	static final Set<String> HSCT_CODES = IgTerminology.installed().codes(IgTerminology.HSCT_CODE);
	static final Set<String> PLATELET_TRANSFUSION = Set.of("180208003");
	static final Set<String> TRANSFUSION_CODES = Set.of("116863004", "71493000", "180208003", "5447007");

	/**
	 * Phases that do not start a new count of days: conditioning is counted toward the
	 * transplant.
	 */
	static final Set<String> NOT_ANCHORS = Set.of("conditioning", "maintenance", "supportive");

	/** A treatment regimen (CarePlan of profile hemefhir-treatment-regimen). */
	record Regimen(String reference, String code, String display, String phase, String title, LocalDate start,
			CarePlan carePlan) {
		String label() {
			return title != null ? title : display != null ? display : code;
		}
	}

	/** The allogeneic transplant: day 0 = infusion. */
	record Transplant(String reference, LocalDate date, Procedure procedure) {
	}

	final String patient;

	final List<Observation> observations;

	final List<Procedure> procedures;

	final List<CarePlan> carePlans;

	final List<MedicationAdministration> administrations;

	final List<AdverseEvent> adverseEvents;

	final List<Condition> conditions;

	final Map<String, Specimen> specimens;

	final List<ResearchSubject> researchSubjects;

	final List<Regimen> regimens;

	final Optional<Transplant> transplant;

	PatientCourse(String patient, List<Observation> observations, List<Procedure> procedures, List<CarePlan> carePlans,
			List<MedicationAdministration> administrations, List<AdverseEvent> adverseEvents,
			List<Condition> conditions, List<Specimen> specimens, List<ResearchSubject> researchSubjects) {
		this.patient = patient;
		this.observations = observations;
		this.procedures = procedures;
		this.carePlans = carePlans;
		this.administrations = administrations;
		this.adverseEvents = adverseEvents;
		this.conditions = conditions;
		this.specimens = specimens.stream().collect(Collectors.toMap(PatientCourse::ref, Function.identity()));
		this.researchSubjects = researchSubjects;
		this.regimens = carePlans.stream()
			.map(PatientCourse::regimen)
			.filter(r -> r != null)
			.sorted(Comparator.comparing(Regimen::start))
			.toList();
		this.transplant = procedures.stream()
			.filter(p -> hasCode(p.getCode(), SNOMED, HSCT_CODES))
			.map(p -> new Transplant(ref(p), day(p.getPerformed()), p))
			.filter(t -> t.date() != null)
			.min(Comparator.comparing(Transplant::date));
	}

	static String ref(IBaseResource resource) {
		return resource.getIdElement().toUnqualifiedVersionless().getValue();
	}

	private static Regimen regimen(CarePlan plan) {
		if (!plan.getPeriod().hasStart()) {
			return null;
		}
		Coding code = coding(plan.getExtensionByUrl(SD + "regimen-code"));
		Coding phase = coding(plan.getExtensionByUrl(SD + "treatment-phase"));
		return new Regimen(ref(plan), code == null ? null : code.getCode(), code == null ? null : code.getDisplay(),
				phase == null ? null : phase.getCode(), plan.getTitle(),
				PartialDate.of(plan.getPeriod().getStartElement().getValueAsString()).first(), plan);
	}

	static Coding coding(Extension extension) {
		if (extension != null && extension.getValue() instanceof CodeableConcept cc && cc.hasCoding()) {
			return cc.getCodingFirstRep();
		}
		return null;
	}

	static boolean hasCode(CodeableConcept concept, String system, Set<String> codes) {
		return concept != null && concept.getCoding()
			.stream()
			.anyMatch(c -> system.equals(c.getSystem()) && codes.contains(c.getCode()));
	}

	static boolean hasCode(CodeableConcept concept, String system, String code) {
		return hasCode(concept, system, Set.of(code));
	}

	/**
	 * The date of a dated element (dateTime, or the start of a Period), null when absent.
	 */
	/**
	 * When the diagnosis was made: onset[x] when it is a date or period, otherwise (onset
	 * given as an age) the recordedDate, where the IG puts the month of diagnosis.
	 */
	static Type diagnosisDate(Condition c) {
		return c.hasOnsetDateTimeType() || c.hasOnsetPeriod() ? c.getOnset() : c.getRecordedDateElement();
	}

	/** The element {@link #diagnosisDate} reads, for the assumption report. */
	static String diagnosisDatePath(Condition c) {
		return c.hasOnsetDateTimeType() || c.hasOnsetPeriod() ? "Condition.onset[x]" : "Condition.recordedDate";
	}

	static PartialDate date(Type value) {
		BaseDateTimeType dt = null;
		if (value instanceof BaseDateTimeType d) {
			dt = d;
		}
		else if (value instanceof org.hl7.fhir.r4.model.Period p && p.hasStart()) {
			dt = p.getStartElement();
		}
		return dt == null || !dt.hasValue() ? null : PartialDate.of(dt.getValueAsString());
	}

	/** The day of a dated element when it is known to the day, else null. */
	static LocalDate day(Type value) {
		PartialDate d = date(value);
		return d != null && d.exact() ? d.first() : null;
	}

	/**
	 * The regimen a resource names in its regimen-reference or treatment-day anchor, if
	 * any.
	 */
	Optional<Regimen> namedRegimen(DomainResource resource) {
		List<String> refs = new ArrayList<>();
		Extension anchor = resource.getExtensionByUrl(SD + "treatment-day");
		if (anchor != null && anchor.getExtensionByUrl("anchor") != null
				&& anchor.getExtensionByUrl("anchor").getValue() instanceof Reference r) {
			refs.add(r.getReference());
		}
		if (resource.getExtensionByUrl(SD + "regimen-reference") != null
				&& resource.getExtensionByUrl(SD + "regimen-reference").getValue() instanceof Reference r) {
			refs.add(r.getReference());
		}
		for (String ref : refs) {
			Optional<Regimen> found = regimens.stream().filter(g -> g.reference().equals(ref)).findFirst();
			if (found.isPresent()) {
				return found;
			}
		}
		return Optional.empty();
	}

	/**
	 * The regimen whose days count a date: the latest anchor regimen started on or before
	 * it.
	 */
	Optional<Regimen> regimenAt(LocalDate date) {
		return regimens.stream()
			.filter(g -> !NOT_ANCHORS.contains(g.phase()) && !g.start().isAfter(date))
			.reduce((a, b) -> b);
	}

	/**
	 * The regimen outcomes are measured from: the latest regimen with the given code, or
	 * by default the latest one that starts a count of days (not conditioning,
	 * maintenance or supportive).
	 */
	Optional<Regimen> referenceRegimen(String code) {
		return regimens.stream()
			.filter(g -> code == null ? !NOT_ANCHORS.contains(g.phase())
					: code.equals(g.code()) || code.equals(g.reference()))
			.reduce((a, b) -> b);
	}

	/**
	 * First day after a regimen at which another regimen (any phase but supportive)
	 * starts.
	 */
	Optional<LocalDate> nextRegimenStart(Regimen regimen) {
		return regimens.stream()
			.filter(g -> g.start().isAfter(regimen.start()) && !"supportive".equals(g.phase()))
			.map(Regimen::start)
			.findFirst();
	}

	List<Observation> observations(String system, String code) {
		return observations.stream().filter(o -> hasCode(o.getCode(), system, code)).toList();
	}

	/**
	 * Dated quantities of a LOINC code (counts in 10*9/L, as the blood-count profile
	 * requires).
	 */
	List<OutcomeRules.Measurement> measurements(String loinc) {
		List<OutcomeRules.Measurement> values = new ArrayList<>();
		for (Observation o : observations(LOINC, loinc)) {
			LocalDate day = day(o.getEffective());
			if (day != null && o.hasValueQuantity() && o.getValueQuantity().hasValue() && isFinal(o)) {
				values.add(new OutcomeRules.Measurement(day, o.getValueQuantity().getValue(), ref(o)));
			}
		}
		return values;
	}

	/**
	 * Results that count: final, amended or corrected. A registered, preliminary,
	 * cancelled or entered-in-error one may still change or never existed.
	 */
	static boolean isFinal(Observation o) {
		return o.getStatus() == Observation.ObservationStatus.FINAL
				|| o.getStatus() == Observation.ObservationStatus.AMENDED
				|| o.getStatus() == Observation.ObservationStatus.CORRECTED;
	}

	List<OutcomeRules.Transfusion> plateletTransfusions() {
		List<OutcomeRules.Transfusion> list = new ArrayList<>();
		for (Procedure p : procedures) {
			boolean platelets = hasCode(p.getCode(), SNOMED, PLATELET_TRANSFUSION)
					|| p.getUsedCode().stream().anyMatch(c -> hasCode(c, CS + "blood-product", "apheresis-platelets"));
			PartialDate when = date(p.getPerformed());
			if (platelets && when != null && p.getStatus() != Procedure.ProcedureStatus.NOTDONE
					&& p.getStatus() != Procedure.ProcedureStatus.ENTEREDINERROR) {
				list.add(new OutcomeRules.Transfusion(when.first(), when.last(), ref(p)));
			}
		}
		return list;
	}

	/**
	 * The MRD observations (LOINC 67128-9 or observation-code mrd-flow-presence, mrd-ngs,
	 * mrd-pcr).
	 */
	List<Observation> mrdObservations() {
		return observations.stream()
			.filter(o -> hasCode(o.getCode(), LOINC, MRD_FLOW)
					|| hasCode(o.getCode(), CS + "observation-code", Set.of(MRD_FLOW_PRESENCE, "mrd-ngs", "mrd-pcr")))
			.toList();
	}

	/** Specimen type code (v2-0487, e.g. MAR, CSF) of an observation, or "unknown". */
	String specimenType(Observation o) {
		Specimen s = specimens.get(o.getSpecimen().getReference());
		if (s != null && s.hasType()) {
			for (Coding c : s.getType().getCoding()) {
				if ("http://terminology.hl7.org/CodeSystem/v2-0487".equals(c.getSystem())) {
					return c.getCode();
				}
			}
			return s.getType().getCodingFirstRep().getCode();
		}
		return "unknown";
	}

	/**
	 * Whether an MRD result is positive: POS/DET positive, NEG/ND negative; a percentage
	 * is negative when it is 0, given as "&lt; x", or below the assay-sensitivity
	 * extension; null if unreadable.
	 */
	static Boolean mrdPositive(Observation o) {
		if (o.hasValueCodeableConcept()) {
			for (Coding c : o.getValueCodeableConcept().getCoding()) {
				switch (c.getCode() == null ? "" : c.getCode()) {
					case "POS", "DET":
						return true;
					case "NEG", "ND":
						return false;
					default:
						break;
				}
			}
			return null;
		}
		if (o.hasValueQuantity() && o.getValueQuantity().hasValue()) {
			var q = o.getValueQuantity();
			if (q.getComparator() == org.hl7.fhir.r4.model.Quantity.QuantityComparator.LESS_THAN
					|| q.getValue().signum() == 0) {
				return false;
			}
			Extension sensitivity = o.getExtensionByUrl(SD + "assay-sensitivity");
			if (sensitivity != null && sensitivity.getValue() instanceof org.hl7.fhir.r4.model.Quantity s
					&& s.hasValue()) {
				return q.getValue().compareTo(s.getValue()) >= 0;
			}
			return true;
		}
		return null;
	}

	/** CTCAE grade (0-5) of an adverse event, or null. */
	static Integer grade(AdverseEvent event) {
		Coding grade = coding(event.getExtensionByUrl(SD + "ctcae-grade"));
		try {
			return grade == null ? null : Integer.valueOf(grade.getCode());
		}
		catch (NumberFormatException e) {
			return null;
		}
	}

	static String term(CodeableConcept concept) {
		if (concept.hasText()) {
			return concept.getText();
		}
		Coding c = concept.getCodingFirstRep();
		return c.hasDisplay() ? c.getDisplay() : c.getCode();
	}

	static BigDecimal decimal(String s) {
		return s == null ? null : new BigDecimal(s);
	}

}
