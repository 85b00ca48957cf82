package org.hemefhir.course;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hemefhir.fhirserver.FhirServerCustomizer;
import org.hemefhir.system.DecimalBounds;
import java.util.function.Function;
import org.hemefhir.course.Assumptions.Assumption;
import org.hemefhir.course.OutcomeRules.GradedEvent;
import org.hemefhir.course.OutcomeRules.Measurement;
import org.hemefhir.course.OutcomeRules.MrdResult;
import org.hemefhir.course.OutcomeRules.Outcome;

import org.hemefhir.course.OutcomeRules.Threshold;
import org.hemefhir.course.OutcomeRules.Transfusion;
import org.hemefhir.course.OutcomeRules.WorstGrade;
import org.hemefhir.course.PatientCourse.Regimen;
import org.hemefhir.course.PatientCourse.Transplant;
import org.hl7.fhir.r4.model.AdverseEvent;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Range;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Type;
import org.springframework.stereotype.Component;

/**
 * {@code Patient/[id]/$outcomes}: the clinical time-to-event measures of one patient's
 * course, each with the rule used, the source observations and every date as a regimen
 * day and a transplant day. The shape of the answer is documented in docs/research.md.
 */
@Component
class OutcomesProvider implements FhirServerCustomizer {

	private static final String UCUM = "http://unitsofmeasure.org";

	private static final String COUNT_UNIT = "10*9/L";

	private final CourseReader reader;

	private final OutcomeProperties defaults;

	OutcomesProvider(CourseReader reader, OutcomeProperties defaults) {
		this.reader = reader;
		this.defaults = defaults;
	}

	@Override
	public void customize(RestfulServer server) {
		server.registerProvider(this);
	}

	@Operation(name = "$outcomes", idempotent = true, typeName = "Patient")
	public Parameters outcomes(@IdParam IdType patientId,
			@OperationParam(name = "anc-threshold") StringType ancThreshold,
			@OperationParam(name = "anc-consecutive") StringType ancConsecutive,
			@OperationParam(name = "platelet-threshold") StringType plateletThreshold,
			@OperationParam(name = "transfusion-free-days") StringType transfusionFreeDays,
			@OperationParam(name = "comparator") StringType comparator,
			@OperationParam(name = "regimen") StringType regimen,
			@OperationParam(name = "assumed") StringType assumedValues, RequestDetails request) {
		BigDecimal anc = positive("anc-threshold", ancThreshold, defaults.ancThreshold());
		BigDecimal platelets = positive("platelet-threshold", plateletThreshold, defaults.plateletThreshold());
		int consecutive = within("anc-consecutive", ancConsecutive, defaults.ancConsecutive(), 1, 30);
		int transfusionFree = within("transfusion-free-days", transfusionFreeDays, defaults.transfusionFreeDays(), 0,
				365);
		Threshold cmp;
		try {
			cmp = Threshold.parse(comparator == null ? defaults.comparator() : comparator.getValue());
		}
		catch (IllegalArgumentException e) {
			throw new InvalidRequestException(e.getMessage());
		}
		boolean excludeAssumed = excludeAssumed(assumedValues);

		PatientCourse course = reader.read(patientId, request);
		Reported reported = new Reported(new Assumptions(course), excludeAssumed, new ArrayList<>());
		String regimenCode = regimen == null ? null : regimen.getValue();
		Optional<Regimen> reference = course.referenceRegimen(regimenCode);
		if (regimenCode != null && reference.isEmpty()) {
			throw new InvalidRequestException("Patient/" + patientId.getIdPart()
					+ " has no regimen with code or reference '" + regimenCode + "'");
		}
		Days days = new Days(reference.orElse(null), course.transplant.orElse(null));
		LocalDate from = reference.map(Regimen::start).orElse(null);
		LocalDate until = reference.flatMap(course::nextRegimenStart).orElse(null);

		Parameters out = new Parameters();
		out.addParameter().setName("patient").setValue(new Reference(course.patient));
		ParametersParameterComponent mode = out.addParameter().setName("assumed-values");
		part(mode, "mode", new CodeType(excludeAssumed ? "exclude" : "include"));
		reference.ifPresent(r -> {
			ParametersParameterComponent p = out.addParameter().setName("reference-regimen");
			part(p, "regimen", new Reference(r.reference()).setDisplay(r.label()));
			if (r.code() != null) {
				part(p, "code", new CodeType(r.code()));
			}
			part(p, "start", new DateType(r.start().toString()));
			if (until != null) {
				part(p, "window-end", new DateType(until.toString()));
			}
			assumedParts(p, reported.assumptions().of(r.reference()));
		});
		course.transplant.ifPresent(t -> {
			ParametersParameterComponent p = out.addParameter().setName("transplant");
			part(p, "procedure", new Reference(t.reference()));
			part(p, "date", new DateType(t.date().toString()));
			assumedParts(p, reported.assumptions().of(t.reference()));
		});

		String window = reference
			.map(r -> ", counted from day 1 of " + r.label() + " (" + r.start() + ")"
					+ (until == null ? "" : " until the next regimen (" + until + ", excluded)"))
			.orElse(", over all data (no regimen)") + (excludeAssumed ? "; assumed values left out" : "");
		ParametersParameterComponent neutrophils = outcome(out, "neutrophil-recovery",
				"first day of " + consecutive + " successive ANC measurements (LOINC 751-8) on distinct days, each "
						+ cmp.symbol + " " + anc.toPlainString() + " x10^9/L; one value per day (the lowest)" + window,
				OutcomeRules.neutrophilRecovery(
						reported.keep(course.measurements(PatientCourse.ANC), Measurement::source), anc, cmp,
						consecutive, from, until),
				days, reported);
		thresholdParts(neutrophils, anc, cmp);
		ParametersParameterComponent plt = outcome(out, "platelet-recovery",
				"first day with platelets (LOINC 777-3) " + cmp.symbol + " " + platelets.toPlainString()
						+ " x10^9/L and no platelet transfusion on that day or in the " + transfusionFree
						+ " days before" + window,
				OutcomeRules.plateletRecovery(
						reported.keep(course.measurements(PatientCourse.PLATELETS), Measurement::source),
						reported.keep(course.plateletTransfusions(), Transfusion::source), platelets, cmp,
						transfusionFree, from, until),
				days, reported);
		thresholdParts(plt, platelets, cmp);

		mrd(out, course, days, reported);
		diagnosisToTransplant(out, course, reported);
		chimerism(out, course, days, reported);
		grades(out, course, reported);
		reported.leftOut().stream().distinct().forEach(r -> part(mode, "left-out", new Reference(r)));
		return out;
	}

	/**
	 * The values the rules may use: all, or (assumed=exclude) only those the source
	 * reports; what was left out is listed in the answer.
	 */
	private record Reported(Assumptions assumptions, boolean exclude, List<String> leftOut) {
		<T> List<T> keep(List<T> values, Function<T, String> source) {
			if (!exclude) {
				return values;
			}
			List<T> kept = new ArrayList<>();
			for (T value : values) {
				if (assumptions.isAssumed(source.apply(value))) {
					leftOut.add(source.apply(value));
				}
				else {
					kept.add(value);
				}
			}
			return kept;
		}
	}

	private static boolean excludeAssumed(StringType value) {
		String mode = value == null ? null : value.getValue();
		if (mode == null || mode.equals("include")) {
			return false;
		}
		if (mode.equals("exclude")) {
			return true;
		}
		throw new InvalidRequestException(
				"assumed must be 'include' (use assumed values, the default) or 'exclude' (reported values only), not '"
						+ shown(mode) + "'");
	}

	/**
	 * Whether what an outcome rests on was assumed, and per assumed value what the source
	 * says.
	 */
	private static void assumedParts(ParametersParameterComponent p, List<Assumption> found) {
		part(p, "assumed", new BooleanType(!found.isEmpty()));
		for (Assumption a : found) {
			ParametersParameterComponent x = part(p, "assumption", null);
			part(x, "source", new Reference(a.source()));
			part(x, "element", new StringType(a.element()));
			part(x, "text", new StringType(a.text()));
		}
	}

	/**
	 * Regimen day and transplant day of a date, when there is a regimen / a transplant.
	 */
	private record Days(Regimen regimen, Transplant transplant) {
		void add(ParametersParameterComponent p, LocalDate date) {
			part(p, "date", new DateType(date.toString()));
			if (regimen != null) {
				part(p, "regimen-day", new IntegerType(OutcomeRules.regimenDay(date, regimen.start())));
			}
			if (transplant != null) {
				part(p, "transplant-day", new IntegerType(OutcomeRules.transplantDay(date, transplant.date())));
			}
		}
	}

	private static ParametersParameterComponent outcome(Parameters out, String name, String rule, Outcome outcome,
			Days days, Reported reported) {
		ParametersParameterComponent p = out.addParameter().setName(name);
		fill(p, rule, outcome, days, reported);
		return p;
	}

	private static void fill(ParametersParameterComponent p, String rule, Outcome outcome, Days days,
			Reported reported) {
		part(p, "status", new CodeType(outcome.isReached() ? "reached" : "not-reached"));
		part(p, "rule", new StringType(rule));
		if (outcome.isReached()) {
			days.add(p, outcome.date());
		}
		else {
			part(p, "reason", new StringType(outcome.reason()));
		}
		outcome.sources().forEach(s -> part(p, "source", new Reference(s)));
		outcome.notes().forEach(n -> part(p, "note", new StringType(n)));
		List<String> used = new ArrayList<>(outcome.sources());
		used.addAll(outcome.consulted());
		assumedParts(p, reported.assumptions().of(used));
	}

	private static void thresholdParts(ParametersParameterComponent p, BigDecimal threshold, Threshold cmp) {
		part(p, "threshold", new Quantity().setValue(threshold).setUnit("10^9/L").setSystem(UCUM).setCode(COUNT_UNIT));
		part(p, "comparator", new CodeType(cmp.code()));
	}

	private static void mrd(Parameters out, PatientCourse course, Days days, Reported reported) {
		List<MrdResult> results = new ArrayList<>();
		for (Observation o : course.mrdObservations()) {
			LocalDate day = PatientCourse.day(o.getEffective());
			Boolean positive = PatientCourse.mrdPositive(o);
			if (day != null && positive != null && PatientCourse.isFinal(o)) {
				results.add(new MrdResult(day, positive, course.specimenType(o), PatientCourse.ref(o)));
			}
		}
		Map<String, Outcome> bySpecimen = OutcomeRules.mrdConversion(reported.keep(results, MrdResult::source));
		if (bySpecimen.isEmpty()) {
			ParametersParameterComponent p = out.addParameter().setName("mrd-conversion");
			fill(p, "first MRD-negative result after a positive one, per specimen type",
					Outcome.notReached("no MRD result", List.of()), days, reported);
		}
		bySpecimen.forEach((specimen, outcome) -> {
			ParametersParameterComponent p = out.addParameter().setName("mrd-conversion");
			part(p, "specimen",
					new Coding("http://terminology.hl7.org/CodeSystem/v2-0487", specimen, specimenName(specimen)));
			fill(p, "first MRD-negative result (" + specimenName(specimen)
					+ ") after a positive one; sources: the last positive" + " before it, then the negative", outcome,
					days, reported);
		});
	}

	private static String specimenName(String code) {
		return switch (code) {
			case "MAR" -> "bone marrow";
			case "CSF" -> "cerebrospinal fluid";
			case "BLD" -> "whole blood";
			default -> code;
		};
	}

	private static void diagnosisToTransplant(Parameters out, PatientCourse course, Reported reported) {
		ParametersParameterComponent p = out.addParameter().setName("diagnosis-to-transplant");
		String rule = "days from the diagnosis (earliest Condition onset, or its recordedDate when the onset is an age) to the transplant infusion (day 0); a diagnosis date"
				+ " known only to the month gives a range";
		Optional<Condition> diagnosis = reported.keep(course.conditions, PatientCourse::ref)
			.stream()
			.filter(c -> PatientCourse.date(PatientCourse.diagnosisDate(c)) != null)
			.min(Comparator.comparing(c -> PatientCourse.date(PatientCourse.diagnosisDate(c)).first()));
		if (diagnosis.isEmpty() || course.transplant.isEmpty()) {
			part(p, "status", new CodeType("not-reached"));
			part(p, "rule", new StringType(rule));
			part(p, "reason",
					new StringType(diagnosis.isEmpty() ? "no diagnosis with an onset date" : "no transplant recorded"));
			diagnosis.ifPresent(c -> part(p, "source", new Reference(PatientCourse.ref(c))));
			assumedParts(p, reported.assumptions().of(diagnosis.map(PatientCourse::ref).stream().toList()));
			return;
		}
		PartialDate onset = PatientCourse.date(PatientCourse.diagnosisDate(diagnosis.get()));
		Transplant transplant = course.transplant.get();
		OutcomeRules.DayRange range = OutcomeRules.daysBetween(onset, transplant.date());
		part(p, "status", new CodeType("reached"));
		part(p, "rule", new StringType(rule));
		part(p, "diagnosis-date", new StringType(onset.text()));
		part(p, "transplant-date", new DateType(transplant.date().toString()));
		part(p, "days", new Range().setLow(days(range.low())).setHigh(days(range.high())));
		part(p, "source", new Reference(PatientCourse.ref(diagnosis.get())));
		part(p, "source", new Reference(transplant.reference()));
		assumedParts(p, reported.assumptions().of(List.of(PatientCourse.ref(diagnosis.get()), transplant.reference())));
	}

	private static Quantity days(long n) {
		return new Quantity().setValue(n).setUnit("d").setSystem(UCUM).setCode("d");
	}

	private static void chimerism(Parameters out, PatientCourse course, Days days, Reported reported) {
		ParametersParameterComponent p = out.addParameter().setName("donor-chimerism");
		String rule = "donor chimerism observations (observation-code donor-chimerism) dated on or after the transplant, in date order";
		List<Observation> results = reported
			.keep(course.observations(PatientCourse.CS + "observation-code", "donor-chimerism"), PatientCourse::ref)
			.stream()
			.filter(o -> PatientCourse.day(o.getEffective()) != null && o.hasValueQuantity()
					&& PatientCourse.isFinal(o))
			.filter(o -> course.transplant.map(t -> !PatientCourse.day(o.getEffective()).isBefore(t.date()))
				.orElse(false))
			.sorted(Comparator.comparing(o -> PatientCourse.day(o.getEffective())))
			.toList();
		part(p, "status", new CodeType(results.isEmpty() ? "not-reached" : "reached"));
		part(p, "rule", new StringType(rule));
		if (results.isEmpty()) {
			part(p, "reason", new StringType(course.transplant.isEmpty() ? "no transplant recorded"
					: "no donor chimerism result on or after the transplant"));
		}
		for (Observation o : results) {
			ParametersParameterComponent result = part(p, "result", null);
			part(result, "value", o.getValueQuantity().copy());
			days.add(result, PatientCourse.day(o.getEffective()));
			part(result, "source", new Reference(PatientCourse.ref(o)));
			assumedParts(result, reported.assumptions().of(PatientCourse.ref(o)));
		}
		assumedParts(p, reported.assumptions().of(results.stream().map(PatientCourse::ref).toList()));
	}

	private static void grades(Parameters out, PatientCourse course, Reported reported) {
		List<GradedEvent> events = new ArrayList<>();
		for (AdverseEvent event : course.adverseEvents) {
			Integer grade = PatientCourse.grade(event);
			if (grade != null && event.hasEvent()) {
				String regimen = course.namedRegimen(event).map(Regimen::reference).orElse(null);
				events.add(new GradedEvent(PatientCourse.term(event.getEvent()), grade, regimen,
						PatientCourse.ref(event)));
			}
		}
		events = reported.keep(events, GradedEvent::source);
		for (WorstGrade w : OutcomeRules.worstGradeByTerm(events)) {
			ParametersParameterComponent p = out.addParameter().setName("worst-grade-by-term");
			part(p, "term", new StringType(w.key()));
			part(p, "grade", new IntegerType(w.grade()));
			part(p, "events", new IntegerType(w.events()));
			w.sources().forEach(s -> part(p, "source", new Reference(s)));
			assumedParts(p, reported.assumptions().of(w.sources()));
		}
		for (WorstGrade w : OutcomeRules.worstGradeByRegimen(events)) {
			ParametersParameterComponent p = out.addParameter().setName("worst-grade-by-regimen");
			if (w.key() != null) {
				String label = course.regimens.stream()
					.filter(r -> r.reference().equals(w.key()))
					.findFirst()
					.map(Regimen::label)
					.orElse(null);
				part(p, "regimen", new Reference(w.key()).setDisplay(label));
			}
			part(p, "grade", new IntegerType(w.grade()));
			part(p, "events", new IntegerType(w.events()));
			w.terms().forEach(t -> part(p, "term", new StringType(t)));
			w.sources().forEach(s -> part(p, "source", new Reference(s)));
			assumedParts(p, reported.assumptions().of(w.sources()));
		}
	}

	private static ParametersParameterComponent part(ParametersParameterComponent parent, String name, Type value) {
		ParametersParameterComponent part = parent.addPart().setName(name);
		if (value != null) {
			part.setValue(value);
		}
		return part;
	}

	// Numbers arrive as strings: HAPI's own decimal/integer conversion answers a typo
	// with a 500.
	private static BigDecimal positive(String name, StringType value, BigDecimal fallback) {
		if (value == null || value.getValue() == null) {
			return fallback;
		}
		BigDecimal number;
		try {
			number = DecimalBounds.parse(value.getValue());
		}
		catch (NumberFormatException e) {
			String reason = e.getMessage() != null && e.getMessage().startsWith("The decimal") ? ": " + e.getMessage()
					: "";
			throw new InvalidRequestException(name + " must be a decimal number (x10^9/L), not '"
					+ OutcomesProvider.shown(value.getValue()) + "'" + reason);
		}
		if (number.signum() <= 0) {
			throw new InvalidRequestException(name + " must be a positive number (x10^9/L), not " + value.getValue());
		}
		return number;
	}

	private static String shown(String text) {
		return text.length() <= 40 ? text : text.substring(0, 40) + "…";
	}

	private static int within(String name, StringType value, int fallback, int min, int max) {
		if (value == null || value.getValue() == null) {
			return fallback;
		}
		int number;
		try {
			number = Integer.parseInt(value.getValue().trim());
		}
		catch (NumberFormatException e) {
			throw new InvalidRequestException(name + " must be a whole number, not '" + value.getValue() + "'");
		}
		if (number < min || number > max) {
			throw new InvalidRequestException(name + " must be between " + min + " and " + max + ", not " + number);
		}
		return number;
	}

}
