package org.hemefhir.cohort;

import java.time.LocalDate;
import java.util.SplittableRandom;

/**
 * What the generator draws for one patient before it writes any resource: dates, the days
 * counts recover, MRD results, transplant, relapse, death. Distributions and their
 * reasons: docs/cohort-generator.md. Regimen days count as {@code $outcomes} counts them:
 * day 1 is the first day of the regimen, the day before it is day -1.
 */
final class CoursePlan {

	/** Consolidation days with a daily count at most (aplasia is followed up to here). */
	static final int DAILY_UNTIL = 60;

	final int index;

	final boolean male;

	final LocalDate birthDate;

	final LocalDate diagnosis;

	final boolean etp;

	final LocalDate induction;

	final LocalDate consolidation;

	/** First consolidation day with counts inside the window: aplasia has begun. */
	final int aplasiaDay;

	/** Regimen day starting 3 consecutive ANC ≥ 0.5, or null: never within the window. */
	final Integer anc05Day;

	/** Regimen day starting 3 consecutive ANC ≥ 1.0, or null. */
	final Integer anc10Day;

	/** First regimen day with platelets ≥ 20 and no platelet transfusion in 7 days. */
	final Integer plt20Day;

	/** The same for platelets ≥ 100. */
	final Integer plt100Day;

	/** Post-induction marrow (induction day 29) MRD positive. */
	final boolean mrdPositiveAfterInduction;

	/** Consolidation marrow evaluation day (28–35) and the later one (70–77). */
	final int evaluationDay;

	final int lateEvaluationDay;

	final boolean mrdNegativeAtEvaluation;

	final boolean mrdNegativeAtLateEvaluation;

	final boolean mrdNegativeAfterTransplant;

	final boolean csfPositiveAtDiagnosis;

	final boolean csfNegativeAtEvaluation;

	/** MRD measured as a percentage (LOINC 67128-9) rather than POS/NEG. */
	final boolean quantitativeMrd;

	/** Transplant infusion date (day 0), or null. */
	final LocalDate transplant;

	final DonorType donor;

	final double cd34Dose;

	final boolean maintenance;

	final boolean enrolled;

	/** Relapse date, or null. */
	final LocalDate relapse;

	/** Death date, or null. */
	final LocalDate death;

	/** Last day with data (death, or the end of follow-up). */
	final LocalDate lastDay;

	final boolean febrileNeutropenia;

	final boolean infusionReaction;

	enum DonorType {

		MATCHED_RELATED("matched-related", "HLA-matched related donor", 12, "SIB", "sibling"),
		HAPLOIDENTICAL("haploidentical", "Haploidentical related donor", 6, "CHILD", "child"),
		MATCHED_UNRELATED("matched-unrelated", "HLA-matched unrelated donor", 12, null, null),
		MISMATCHED_UNRELATED("mismatched-unrelated", "HLA-mismatched unrelated donor", 11, null, null);

		final String code;

		final String display;

		final int matched;

		final String relationship;

		final String relationshipDisplay;

		DonorType(String code, String display, int matched, String relationship, String relationshipDisplay) {
			this.code = code;
			this.display = display;
			this.matched = matched;
			this.relationship = relationship;
			this.relationshipDisplay = relationshipDisplay;
		}

	}

	private CoursePlan(int index, SplittableRandom rng, LocalDate cohortStart) {
		this.index = index;
		this.male = rng.nextDouble() < 0.70;
		int age = (int) Math.round(clamp(normal(rng, 38, 14), 18, 75));
		this.diagnosis = cohortStart.plusDays(rng.nextInt(0, 731));
		this.birthDate = diagnosis.minusYears(age).minusDays(rng.nextInt(1, 365));
		this.etp = rng.nextDouble() < 0.15;
		this.induction = diagnosis.plusDays(rng.nextInt(3, 11));
		this.consolidation = induction.plusDays(rng.nextInt(35, 50));
		this.aplasiaDay = rng.nextInt(6, 9);

		boolean ancNever = rng.nextDouble() < 0.08;
		boolean pltNever = ancNever || rng.nextDouble() < 0.03;
		this.anc05Day = ancNever ? null : (int) Math.round(clamp(normal(rng, 25, 4), 17, 40));
		this.anc10Day = anc05Day == null ? null : anc05Day + rng.nextInt(0, 5);
		this.plt20Day = pltNever ? null : (int) Math.round(clamp(normal(rng, 24, 5), aplasiaDay + 10, 45));

		this.febrileNeutropenia = rng.nextDouble() < (ancNever ? 1.0 : 0.5);
		this.infusionReaction = rng.nextDouble() < 0.4;
		this.quantitativeMrd = rng.nextDouble() < 0.5;
		this.mrdPositiveAfterInduction = rng.nextDouble() < (etp ? 0.9 : 0.8);
		this.evaluationDay = rng.nextInt(28, 36);
		this.lateEvaluationDay = rng.nextInt(70, 78);
		this.mrdNegativeAtEvaluation = rng.nextDouble() < 0.7;
		this.mrdNegativeAtLateEvaluation = rng.nextDouble() < 0.5;
		this.mrdNegativeAfterTransplant = rng.nextDouble() < 0.7;
		this.csfPositiveAtDiagnosis = rng.nextDouble() < 0.1;
		this.csfNegativeAtEvaluation = rng.nextDouble() < 0.9;

		LocalDate death = null;
		LocalDate transplant = null;
		LocalDate relapse = null;
		boolean maintenance = false;
		boolean enrolled = false;
		DonorType donor = null;
		double cd34 = 0;
		boolean pltTo100 = true;
		if (ancNever) {
			// no count recovery: most die of infection in aplasia, the others leave the
			// data set unrecovered
			if (rng.nextDouble() < 0.7) {
				death = day(rng.nextInt(40, 71));
			}
		}
		else {
			boolean transplanted = rng.nextDouble() < 0.6;
			if (transplanted) {
				transplant = day(rng.nextInt(85, 116));
				donor = pick(rng, DonorType.values(), new double[] { 0.35, 0.40, 0.20, 0.05 });
				cd34 = Math.round(clamp(Math.exp(normal(rng, Math.log(6.5), 0.4)), 2.0, 20.0) * 100) / 100.0;
				// platelets that do not reach 100 before conditioning
				pltTo100 = rng.nextDouble() >= 0.1;
				if (rng.nextDouble() < 0.2) {
					relapse = transplant.plusDays(rng.nextInt(120, 365));
					if (rng.nextDouble() < 0.6) {
						death = relapse.plusDays(rng.nextInt(30, 180));
					}
				}
				maintenance = relapse == null && rng.nextDouble() < 0.5;
				enrolled = maintenance && rng.nextDouble() < 0.6;
			}
			else if (rng.nextDouble() < 0.3) {
				relapse = day(rng.nextInt(120, 300));
				if (rng.nextDouble() < 0.6) {
					death = relapse.plusDays(rng.nextInt(30, 150));
				}
			}
		}
		this.plt100Day = plt20Day == null || !pltTo100 ? null : plt20Day + rng.nextInt(4, 22);
		LocalDate end = transplant != null ? transplant.plusDays(365) : day(ancNever ? 90 : 365);
		// a death after the end of follow-up is not known to the data
		this.death = death != null && !death.isAfter(end) ? death : null;
		this.transplant = transplant;
		this.relapse = relapse;
		this.maintenance = maintenance;
		this.enrolled = enrolled;
		this.donor = donor;
		this.cd34Dose = cd34;
		this.lastDay = this.death != null ? this.death : end;
	}

	static CoursePlan draw(long seed, int index) {
		SplittableRandom rng = new SplittableRandom(mix(seed, index));
		LocalDate cohortStart = LocalDate.of(2021, 1, 4).plusDays(Math.floorMod(seed, 365));
		return new CoursePlan(index, rng, cohortStart);
	}

	/**
	 * One stream per patient, so patient k is the same whatever the cohort size.
	 */
	static long mix(long seed, int index) {
		long z = seed * 0x9E3779B97F4A7C15L + index;
		z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
		z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
		return z ^ (z >>> 31);
	}

	/** The date of a consolidation regimen day (day 1 = start, day -1 the day before). */
	LocalDate day(int regimenDay) {
		return consolidation.plusDays(regimenDay > 0 ? regimenDay - 1 : regimenDay);
	}

	static int regimenDay(LocalDate start, LocalDate date) {
		long diff = java.time.temporal.ChronoUnit.DAYS.between(start, date);
		return (int) (diff >= 0 ? diff + 1 : diff);
	}

	/** The date counts of the consolidation window end: the next regimen starts. */
	LocalDate windowEnd() {
		return transplant == null ? null : conditioningStart();
	}

	LocalDate conditioningStart() {
		return transplant.minusDays(6);
	}

	boolean alive(LocalDate date) {
		return !date.isAfter(lastDay);
	}

	static double normal(SplittableRandom rng, double mean, double sd) {
		// Box-Muller: SplittableRandom has no nextGaussian in Java 17
		double u = 1.0 - rng.nextDouble();
		double v = rng.nextDouble();
		return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
	}

	static double clamp(double x, double low, double high) {
		return Math.max(low, Math.min(high, x));
	}

	static double uniform(SplittableRandom rng, double low, double high) {
		return low + (high - low) * rng.nextDouble();
	}

	static <T> T pick(SplittableRandom rng, T[] values, double[] weights) {
		double x = rng.nextDouble();
		for (int i = 0; i < values.length; i++) {
			x -= weights[i];
			if (x < 0) {
				return values[i];
			}
		}
		return values[values.length - 1];
	}

}
