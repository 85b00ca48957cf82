package org.hemefhir.course;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The time-to-event rules of {@code $outcomes}, on plain values: no FHIR, no database, so
 * every edge case (gaps, transfusions, never recovering, several positives) is a unit
 * test.
 *
 * <p>
 * Counting conventions: a regimen's day 1 is its first day and the day before it is day
 * -1 (there is no regimen day 0); a transplant's day 0 is the infusion day.
 */
final class OutcomeRules {

	private OutcomeRules() {
	}

	/** How a measured value is compared with its threshold. */
	enum Threshold {

		/** value ≥ threshold (the rule, and the default). */
		GE("≥"),
		/** value > threshold (the letter's wording, "ANC > 1.0"). */
		GT(">");

		final String symbol;

		Threshold(String symbol) {
			this.symbol = symbol;
		}

		boolean met(BigDecimal value, BigDecimal threshold) {
			int c = value.compareTo(threshold);
			return this == GE ? c >= 0 : c > 0;
		}

		static Threshold parse(String code) {
			if (code == null || code.isBlank() || code.equals("ge")) {
				return GE;
			}
			if (code.equals("gt")) {
				return GT;
			}
			throw new IllegalArgumentException("comparator must be 'ge' (≥) or 'gt' (>), not '" + code + "'");
		}

		String code() {
			return name().toLowerCase();
		}

	}

	/**
	 * One dated value, e.g. an ANC; {@code source} is the id of the observation it came
	 * from.
	 */
	record Measurement(LocalDate date, BigDecimal value, String source) {
	}

	/**
	 * A platelet transfusion, over one day or a range of days (a date known only to the
	 * month).
	 */
	record Transfusion(LocalDate first, LocalDate last, String source) {
	}

	/** One MRD result on one specimen type. */
	record MrdResult(LocalDate date, boolean positive, String specimen, String source) {
	}

	/**
	 * One graded adverse event; {@code regimen} is null when the event names no regimen.
	 */
	record GradedEvent(String term, int grade, String regimen, String source) {
	}

	/**
	 * The answer to one question: reached on {@code date} (sources = the values that
	 * decided it), or not reached with a reason. Notes say what else a reader should know
	 * (e.g. a value that was over the threshold but did not count because of a
	 * transfusion).
	 */
	record Outcome(LocalDate date, List<String> sources, String reason, List<String> notes, List<String> consulted) {
		static Outcome reached(LocalDate date, List<String> sources, List<String> notes) {
			return new Outcome(date, List.copyOf(sources), null, List.copyOf(notes), List.of());
		}

		static Outcome notReached(String reason, List<String> notes) {
			return new Outcome(null, List.of(), reason, List.copyOf(notes), List.of());
		}

		/**
		 * The same outcome, naming other resources that changed it (a transfusion that
		 * disqualified a count): whether they are assumed matters as much as the sources.
		 */
		Outcome consulting(List<String> others) {
			return new Outcome(date, sources, reason, notes, List.copyOf(others));
		}

		boolean isReached() {
			return date != null;
		}
	}

	/**
	 * Day of {@code date} in a regimen whose day 1 is {@code start}; the day before day 1
	 * is day -1.
	 */
	static long regimenDay(LocalDate date, LocalDate start) {
		long diff = ChronoUnit.DAYS.between(start, date);
		return diff >= 0 ? diff + 1 : diff;
	}

	/** Day of {@code date} relative to a transplant whose infusion is day 0. */
	static long transplantDay(LocalDate date, LocalDate transplant) {
		return ChronoUnit.DAYS.between(transplant, date);
	}

	/** Measurements inside [from, until), one per day: the lowest value of that day. */
	private static List<Measurement> dailyLowest(List<Measurement> values, LocalDate from, LocalDate until) {
		TreeMap<LocalDate, Measurement> byDay = new TreeMap<>();
		for (Measurement m : values) {
			if ((from != null && m.date().isBefore(from)) || (until != null && !m.date().isBefore(until))) {
				continue;
			}
			byDay.merge(m.date(), m, (a, b) -> a.value().compareTo(b.value()) <= 0 ? a : b);
		}
		return new ArrayList<>(byDay.values());
	}

	private static String window(LocalDate from, LocalDate until) {
		return (from == null ? "" : " from " + from) + (until == null ? "" : " before " + until);
	}

	/**
	 * Neutrophil recovery: the first day of {@code consecutive} successive measurements
	 * (on distinct days, whatever the calendar gap between them) that all meet the
	 * threshold. Several measurements on one day count once, with the lowest value of
	 * that day.
	 */
	static Outcome neutrophilRecovery(List<Measurement> anc, BigDecimal threshold, Threshold comparator,
			int consecutive, LocalDate from, LocalDate until) {
		List<Measurement> days = dailyLowest(anc, from, until);
		String rule = comparator.symbol + " " + threshold.toPlainString();
		if (days.isEmpty()) {
			return Outcome.notReached("no ANC measurement" + window(from, until), List.of());
		}
		List<Measurement> run = new ArrayList<>();
		List<Measurement> longest = List.of();
		boolean belowBefore = false;
		boolean belowBeforeRun = false;
		for (Measurement day : days) {
			if (comparator.met(day.value(), threshold)) {
				if (run.isEmpty()) {
					belowBeforeRun = belowBefore;
				}
				run.add(day);
				if (run.size() == consecutive) {
					List<String> notes = new ArrayList<>();
					if (!belowBeforeRun) {
						notes.add("no ANC below the threshold was measured before " + run.get(0).date()
								+ window(from, null) + ": recovery happened on or before this day");
					}
					return Outcome.reached(run.get(0).date(), run.stream().map(Measurement::source).toList(), notes);
				}
			}
			else {
				belowBefore = true;
				if (run.size() > longest.size()) {
					longest = List.copyOf(run);
				}
				run.clear();
			}
		}
		if (!run.isEmpty()) {
			return Outcome.notReached("the last " + run.size() + " ANC measurement(s), from " + run.get(0).date()
					+ ", are " + rule + " but " + consecutive + " consecutive are required; the data end on "
					+ days.get(days.size() - 1).date(), List.of());
		}
		if (longest.isEmpty()) {
			Measurement highest = days.stream().max(Comparator.comparing(Measurement::value)).orElseThrow();
			return Outcome.notReached("no ANC measurement " + rule + window(from, until) + " (highest "
					+ highest.value().toPlainString() + " on " + highest.date() + ")", List.of());
		}
		return Outcome.notReached("never " + consecutive + " consecutive ANC measurements " + rule + window(from, until)
				+ " (longest run: " + longest.size() + " from " + longest.get(0).date() + ")", List.of());
	}

	/**
	 * Platelet recovery: the first day with a count meeting the threshold and no platelet
	 * transfusion on that day or in the {@code transfusionFreeDays} days before it.
	 */
	static Outcome plateletRecovery(List<Measurement> platelets, List<Transfusion> transfusions, BigDecimal threshold,
			Threshold comparator, int transfusionFreeDays, LocalDate from, LocalDate until) {
		List<Measurement> days = dailyLowest(platelets, from, until);
		String rule = comparator.symbol + " " + threshold.toPlainString();
		if (days.isEmpty()) {
			return Outcome.notReached("no platelet count" + window(from, until), List.of());
		}
		List<String> notes = new ArrayList<>();
		List<String> blocking = new ArrayList<>();
		for (Measurement day : days) {
			if (!comparator.met(day.value(), threshold)) {
				continue;
			}
			LocalDate windowStart = day.date().minusDays(transfusionFreeDays);
			Transfusion recent = transfusions.stream()
				.filter(t -> !t.first().isAfter(day.date()) && !t.last().isBefore(windowStart))
				.max(Comparator.comparing(Transfusion::last))
				.orElse(null);
			if (recent == null) {
				return Outcome.reached(day.date(), List.of(day.source()), notes).consulting(blocking);
			}
			blocking.add(recent.source());
			notes.add("platelets " + day.value().toPlainString() + " on " + day.date()
					+ " not counted: platelet transfusion " + recent.source() + " within the " + transfusionFreeDays
					+ " days before");
		}
		if (!notes.isEmpty()) {
			return Outcome
				.notReached("every platelet count " + rule + window(from, until)
						+ " follows a platelet transfusion within " + transfusionFreeDays + " days", notes)
				.consulting(blocking);
		}
		Measurement highest = days.stream().max(Comparator.comparing(Measurement::value)).orElseThrow();
		return Outcome.notReached("no platelet count " + rule + window(from, until) + " (highest "
				+ highest.value().toPlainString() + " on " + highest.date() + ")", notes);
	}

	/**
	 * MRD conversion, per specimen type (keys in order of first appearance): the first
	 * negative result after a positive one. Sources: the last positive before the
	 * conversion, then the negative. A positive result after the conversion is reported
	 * as a note.
	 */
	static Map<String, Outcome> mrdConversion(List<MrdResult> results) {
		Map<String, List<MrdResult>> bySpecimen = new LinkedHashMap<>();
		results.stream()
			.sorted(Comparator.comparing(MrdResult::date))
			.forEach(r -> bySpecimen.computeIfAbsent(r.specimen(), k -> new ArrayList<>()).add(r));
		Map<String, Outcome> outcomes = new LinkedHashMap<>();
		bySpecimen.forEach((specimen, list) -> outcomes.put(specimen, conversion(list)));
		return outcomes;
	}

	private static Outcome conversion(List<MrdResult> sorted) {
		MrdResult lastPositive = null;
		for (int i = 0; i < sorted.size(); i++) {
			MrdResult r = sorted.get(i);
			if (r.positive()) {
				lastPositive = r;
			}
			else if (lastPositive != null && r.date().isAfter(lastPositive.date())) {
				List<String> notes = new ArrayList<>();
				sorted.subList(i + 1, sorted.size())
					.stream()
					.filter(MrdResult::positive)
					.findFirst()
					.ifPresent(p -> notes.add("MRD positive again on " + p.date() + " (" + p.source() + ")"));
				return Outcome.reached(r.date(), List.of(lastPositive.source(), r.source()), notes);
			}
		}
		if (lastPositive == null) {
			return Outcome.notReached("no positive result: MRD negative at every assessment (" + sorted.size()
					+ ", first on " + sorted.get(0).date() + ")", List.of());
		}
		return Outcome.notReached("no negative result after the positive one of " + lastPositive.date()
				+ " (last assessment " + sorted.get(sorted.size() - 1).date() + ")", List.of());
	}

	/** The worst grade of a group of adverse events and the events that have it. */
	record WorstGrade(String key, int grade, int events, List<String> terms, List<String> sources) {
	}

	/**
	 * Worst CTCAE grade per term (key = term), in order of descending grade then term.
	 */
	static List<WorstGrade> worstGradeByTerm(List<GradedEvent> events) {
		return worst(events, GradedEvent::term);
	}

	/**
	 * Worst CTCAE grade per regimen (key = regimen; events without a regimen under key
	 * null).
	 */
	static List<WorstGrade> worstGradeByRegimen(List<GradedEvent> events) {
		return worst(events, GradedEvent::regimen);
	}

	private static List<WorstGrade> worst(List<GradedEvent> events,
			java.util.function.Function<GradedEvent, String> key) {
		Map<String, List<GradedEvent>> groups = new LinkedHashMap<>();
		events.forEach(e -> groups.computeIfAbsent(key.apply(e), k -> new ArrayList<>()).add(e));
		List<WorstGrade> result = new ArrayList<>();
		groups.forEach((k, list) -> {
			int worst = list.stream().mapToInt(GradedEvent::grade).max().orElseThrow();
			List<GradedEvent> atWorst = list.stream().filter(e -> e.grade() == worst).toList();
			result.add(new WorstGrade(k, worst, list.size(),
					atWorst.stream().map(GradedEvent::term).distinct().sorted().toList(),
					atWorst.stream().map(GradedEvent::source).toList()));
		});
		result.sort(Comparator.comparingInt(WorstGrade::grade)
			.reversed()
			.thenComparing(w -> Objects.toString(w.key(), "")));
		return result;
	}

	/**
	 * Days from a possibly partial date to a day: [low, high], equal when the start date
	 * is exact.
	 */
	record DayRange(long low, long high) {
	}

	static DayRange daysBetween(PartialDate from, LocalDate to) {
		return new DayRange(ChronoUnit.DAYS.between(from.last(), to), ChronoUnit.DAYS.between(from.first(), to));
	}

}
