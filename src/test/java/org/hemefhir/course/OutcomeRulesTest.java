package org.hemefhir.course;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hemefhir.course.OutcomeRules.GradedEvent;
import org.hemefhir.course.OutcomeRules.Measurement;
import org.hemefhir.course.OutcomeRules.MrdResult;
import org.hemefhir.course.OutcomeRules.Outcome;

import org.hemefhir.course.OutcomeRules.Threshold;
import org.hemefhir.course.OutcomeRules.Transfusion;
import org.hemefhir.course.OutcomeRules.WorstGrade;
import org.junit.jupiter.api.Test;

class OutcomeRulesTest {

	private static final LocalDate DAY1 = LocalDate.of(2024, 4, 1);

	private static final BigDecimal ONE = new BigDecimal("1.0");

	/** Consolidation day n (day 1 = 2024-04-01). */
	private static LocalDate day(int n) {
		return DAY1.plusDays(n - 1);
	}

	/** Measurements given as day, value, day, value, ... with sources "d<day>". */
	private static List<Measurement> values(Object... dayValue) {
		List<Measurement> list = new ArrayList<>();
		for (int i = 0; i < dayValue.length; i += 2) {
			list.add(new Measurement(day((Integer) dayValue[i]), new BigDecimal(dayValue[i + 1].toString()),
					"d" + dayValue[i]));
		}
		return list;
	}

	private static Outcome anc(List<Measurement> values, String threshold, Threshold cmp) {
		return OutcomeRules.neutrophilRecovery(values, new BigDecimal(threshold), cmp, 3, DAY1, null);
	}

	@Test
	void treatmentDaysHaveNoRegimenDayZeroAndTransplantDayZeroIsTheInfusion() {
		assertThat(OutcomeRules.regimenDay(DAY1, DAY1)).isEqualTo(1);
		assertThat(OutcomeRules.regimenDay(LocalDate.of(2024, 5, 1), DAY1)).isEqualTo(31);
		assertThat(OutcomeRules.regimenDay(DAY1.minusDays(1), DAY1)).isEqualTo(-1);
		LocalDate hsct = LocalDate.of(2024, 6, 23);
		assertThat(OutcomeRules.transplantDay(hsct, hsct)).isZero();
		assertThat(OutcomeRules.transplantDay(LocalDate.of(2024, 7, 21), hsct)).isEqualTo(28);
		assertThat(OutcomeRules.transplantDay(LocalDate.of(2024, 6, 17), hsct)).isEqualTo(-6);
	}

	@Test
	void ancOfTheCaseRecoversOnDay31WithGreaterOrEqualAndWithStrictlyGreater() {
		List<Measurement> caseValues = values(30, "0.8", 31, "1.2", 32, "1.4", 33, "1.6");
		for (Threshold cmp : Threshold.values()) {
			Outcome outcome = anc(caseValues, "1.0", cmp);
			assertThat(outcome.date()).isEqualTo(day(31));
			assertThat(outcome.sources()).containsExactly("d31", "d32", "d33");
			assertThat(outcome.notes()).isEmpty();
		}
	}

	@Test
	void aValueEqualToTheThresholdCountsWithGeButNotWithGt() {
		List<Measurement> exact = values(20, "0.2", 21, "1.0", 22, "1.0", 23, "1.0", 24, "1.1");
		assertThat(anc(exact, "1.0", Threshold.GE).date()).isEqualTo(day(21));
		Outcome strict = anc(exact, "1.0", Threshold.GT);
		assertThat(strict.isReached()).isFalse();
		assertThat(strict.reason()).contains("the last 1 ANC measurement(s), from " + day(24));
	}

	@Test
	void aDipBelowTheThresholdRestartsTheRun() {
		Outcome outcome = anc(values(20, "0.1", 21, "1.5", 22, "1.6", 23, "0.9", 24, "1.1", 25, "1.2", 26, "1.3"),
				"1.0", Threshold.GE);
		assertThat(outcome.date()).isEqualTo(day(24));
		assertThat(outcome.sources()).containsExactly("d24", "d25", "d26");
	}

	@Test
	void gapsBetweenMeasurementDaysDoNotBreakARun() {
		Outcome outcome = anc(values(20, "0.1", 25, "1.5", 29, "1.6", 35, "1.7"), "1.0", Threshold.GE);
		assertThat(outcome.date()).isEqualTo(day(25));
	}

	@Test
	void twoMeasurementsOnOneDayCountOnceWithTheLowerValue() {
		List<Measurement> sameDay = values(20, "0.1", 21, "1.5", 21, "0.7", 22, "1.6", 23, "1.7", 24, "1.8");
		assertThat(anc(sameDay, "1.0", Threshold.GE).date()).isEqualTo(day(22));
		// Three measurements, but only on two distinct days: not three consecutive days
		// of values.
		Outcome twoDays = anc(values(20, "0.1", 21, "1.5", 21, "1.6", 22, "1.7"), "1.0", Threshold.GE);
		assertThat(twoDays.isReached()).isFalse();
		assertThat(twoDays.reason()).contains("the last 2 ANC measurement(s)");
	}

	@Test
	void neverRecoveringSaysWhyAndNamesTheHighestValue() {
		Outcome outcome = anc(values(10, "0.1", 20, "0.3", 30, "0.4"), "0.5", Threshold.GE);
		assertThat(outcome.isReached()).isFalse();
		assertThat(outcome.reason()).contains("no ANC measurement ≥ 0.5").contains("highest 0.4 on " + day(30));
		assertThat(outcome.sources()).isEmpty();

		Outcome interrupted = anc(values(10, "0.1", 20, "0.6", 21, "0.7", 22, "0.2", 23, "0.1"), "0.5", Threshold.GE);
		assertThat(interrupted.reason()).contains("never 3 consecutive").contains("longest run: 2 from " + day(20));
	}

	@Test
	void missingDataIsNotReachedWithAReason() {
		Outcome none = anc(List.of(), "0.5", Threshold.GE);
		assertThat(none.isReached()).isFalse();
		assertThat(none.reason()).startsWith("no ANC measurement from " + DAY1);
		// Values before the regimen start or after the window end are not counted.
		Outcome outside = OutcomeRules.neutrophilRecovery(values(-5, "2.0", -4, "2.0", -3, "2.0", 90, "3.0"), ONE,
				Threshold.GE, 3, DAY1, day(80));
		assertThat(outside.isReached()).isFalse();
		assertThat(outside.reason()).contains("no ANC measurement from " + DAY1 + " before " + day(80));
	}

	@Test
	void aRunWithNoLowValueBeforeItIsReportedAsOnOrBefore() {
		Outcome outcome = anc(values(30, "0.8", 31, "1.2", 32, "1.4"), "0.5", Threshold.GE);
		assertThat(outcome.date()).isEqualTo(day(30));
		assertThat(outcome.notes()).singleElement().asString().contains("on or before this day");
	}

	@Test
	void plateletsOfTheCaseRecoverOnDay37() {
		List<Measurement> plt = values(36, "85", 37, "110");
		List<Transfusion> dayEleven = List.of(new Transfusion(day(11), day(11), "Procedure/plt"));
		Outcome outcome = OutcomeRules.plateletRecovery(plt, dayEleven, new BigDecimal("100"), Threshold.GT, 7, DAY1,
				null);
		assertThat(outcome.date()).isEqualTo(day(37));
		assertThat(outcome.sources()).containsExactly("d37");
		assertThat(
				OutcomeRules.plateletRecovery(plt, dayEleven, new BigDecimal("20"), Threshold.GE, 7, DAY1, null).date())
			.isEqualTo(day(36));
	}

	@Test
	void aPlateletCountWithinSevenDaysAfterATransfusionDoesNotCount() {
		List<Measurement> plt = values(30, "120", 35, "130", 38, "125");
		List<Transfusion> transfusions = List.of(new Transfusion(day(28), day(28), "Procedure/t28"));
		// day 30 and day 35 are within 7 days of day 28 (35 - 7 = 28: the window includes
		// day 28).
		Outcome outcome = OutcomeRules.plateletRecovery(plt, transfusions, new BigDecimal("100"), Threshold.GE, 7, DAY1,
				null);
		assertThat(outcome.date()).isEqualTo(day(38));
		assertThat(outcome.notes()).hasSize(2).allSatisfy(n -> assertThat(n).contains("Procedure/t28"));
		// The transfusion changed the outcome: whether it is assumed matters too.
		assertThat(outcome.consulted()).containsExactly("Procedure/t28", "Procedure/t28");
		// A transfusion on the same day also disqualifies.
		Outcome sameDay = OutcomeRules.plateletRecovery(values(40, "150"),
				List.of(new Transfusion(day(40), day(40), "Procedure/t40")), new BigDecimal("100"), Threshold.GE, 7,
				DAY1, null);
		assertThat(sameDay.isReached()).isFalse();
		assertThat(sameDay.reason()).contains("follows a platelet transfusion within 7 days");
		assertThat(sameDay.consulted()).containsExactly("Procedure/t40");
	}

	@Test
	void aTransfusionKnownOnlyToTheMonthBlocksEveryDayItMayHaveBeen() {
		PartialDate april = PartialDate.of("2024-04");
		List<Transfusion> transfusions = List.of(new Transfusion(april.first(), april.last(), "Procedure/april"));
		Outcome outcome = OutcomeRules.plateletRecovery(values(35, "150", 38, "150"), transfusions,
				new BigDecimal("100"), Threshold.GE, 7, DAY1, null);
		// day 35 = 2024-05-05 is within 7 days of 2024-04-30; day 38 = 2024-05-08 is not.
		assertThat(outcome.date()).isEqualTo(day(38));
	}

	@Test
	void plateletsNeverOverTheThreshold() {
		Outcome outcome = OutcomeRules.plateletRecovery(values(30, "15", 40, "18"), List.of(), new BigDecimal("20"),
				Threshold.GE, 7, DAY1, null);
		assertThat(outcome.isReached()).isFalse();
		assertThat(outcome.reason()).contains("no platelet count ≥ 20").contains("highest 18");
		assertThat(OutcomeRules.plateletRecovery(List.of(), List.of(), ONE, Threshold.GE, 7, DAY1, null).reason())
			.startsWith("no platelet count");
	}

	private static MrdResult mrd(int day, boolean positive, String specimen) {
		return new MrdResult(day(day), positive, specimen, specimen + day);
	}

	@Test
	void mrdConversionIsPerSpecimenAndNeedsAPositiveFirst() {
		Map<String, Outcome> result = OutcomeRules.mrdConversion(
				List.of(mrd(-25, true, "MAR"), mrd(32, false, "MAR"), mrd(73, false, "MAR"), mrd(73, false, "CSF")));
		assertThat(result.keySet()).containsExactly("MAR", "CSF");
		assertThat(result.get("MAR").date()).isEqualTo(day(32));
		assertThat(result.get("MAR").sources()).containsExactly("MAR-25", "MAR32");
		assertThat(result.get("CSF").isReached()).isFalse();
		assertThat(result.get("CSF").reason()).contains("no positive result");
	}

	@Test
	void severalPositivesThenNegativeConvertsOnTheFirstNegativeAndAReturnIsNoted() {
		Outcome outcome = OutcomeRules
			.mrdConversion(List.of(mrd(100, false, "MAR"), mrd(-30, true, "MAR"), mrd(10, true, "MAR"),
					mrd(50, false, "MAR"), mrd(80, true, "MAR")))
			.get("MAR");
		assertThat(outcome.date()).isEqualTo(day(50));
		assertThat(outcome.sources()).containsExactly("MAR10", "MAR50");
		assertThat(outcome.notes()).singleElement().asString().contains("positive again on " + day(80));
	}

	@Test
	void stillPositiveIsNotReached() {
		Outcome outcome = OutcomeRules.mrdConversion(List.of(mrd(10, true, "MAR"), mrd(40, true, "MAR"))).get("MAR");
		assertThat(outcome.isReached()).isFalse();
		assertThat(outcome.reason()).contains("no negative result after the positive one of " + day(40));
		assertThat(OutcomeRules.mrdConversion(List.of())).isEmpty();
	}

	@Test
	void worstGradePerTermAndPerRegimen() {
		List<GradedEvent> events = List.of(new GradedEvent("Nausea", 1, "CarePlan/a", "AE/1"),
				new GradedEvent("Nausea", 2, "CarePlan/b", "AE/2"), new GradedEvent("Anemia", 3, "CarePlan/b", "AE/3"),
				new GradedEvent("Headache", 2, null, "AE/4"));
		List<WorstGrade> byTerm = OutcomeRules.worstGradeByTerm(events);
		assertThat(byTerm).extracting(WorstGrade::key).containsExactly("Anemia", "Headache", "Nausea");
		assertThat(byTerm.get(2).grade()).isEqualTo(2);
		assertThat(byTerm.get(2).events()).isEqualTo(2);
		assertThat(byTerm.get(2).sources()).containsExactly("AE/2");

		List<WorstGrade> byRegimen = OutcomeRules.worstGradeByRegimen(events);
		assertThat(byRegimen).extracting(WorstGrade::key).containsExactly("CarePlan/b", null, "CarePlan/a");
		assertThat(byRegimen.get(0).terms()).containsExactly("Anemia");
		assertThat(byRegimen.get(2).grade()).isEqualTo(1);
	}

	@Test
	void partialDatesGiveARangeOfDays() {
		PartialDate february = PartialDate.of("2024-02");
		assertThat(february.first()).isEqualTo(LocalDate.of(2024, 2, 1));
		assertThat(february.last()).isEqualTo(LocalDate.of(2024, 2, 29));
		assertThat(OutcomeRules.daysBetween(february, LocalDate.of(2024, 6, 23)))
			.isEqualTo(new OutcomeRules.DayRange(115, 143));
		assertThat(OutcomeRules.daysBetween(PartialDate.of("2024-02-05T10:00:00+01:00"), LocalDate.of(2024, 2, 6)))
			.isEqualTo(new OutcomeRules.DayRange(1, 1));
		assertThat(PartialDate.of("1963").last()).isEqualTo(LocalDate.of(1963, 12, 31));
	}

	@Test
	void comparatorCodes() {
		assertThat(Threshold.parse(null)).isEqualTo(Threshold.GE);
		assertThat(Threshold.parse("gt")).isEqualTo(Threshold.GT);
		assertThatThrownBy(() -> Threshold.parse(">")).isInstanceOf(IllegalArgumentException.class);
	}

}
