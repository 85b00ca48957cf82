package org.hemefhir.ingest.hl7v2;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the unit spellings laboratories put in OBX-6 and converts a value to the one UCUM
 * unit the HemeFHIR profile expects for that analyte. Anything not listed is refused
 * rather than guessed.
 */
final class UcumUnits {

	static final String SYSTEM = "http://unitsofmeasure.org";
	static final String PER_LITRE_E9 = "10*9/L";
	static final String GRAMS_PER_LITRE = "g/L";
	static final String PERCENT = "%";

	/** A value in the target UCUM unit, with the display our samples use. */
	record Conversion(String code, String display, BigDecimal factor) {
		BigDecimal apply(BigDecimal value) {
			BigDecimal converted = factor.compareTo(BigDecimal.ONE) == 0 ? value : value.multiply(factor);
			return converted;
		}
	}

	/**
	 * 10^9/L and 10^3/uL are the same quantity; written lower-case with spaces and micro
	 * signs removed.
	 */
	private static final Set<String> COUNT_SPELLINGS = Set.of("10*9/l", "10^9/l", "x10e9/l", "10e9/l", "x10^9/l",
			"x10*9/l", "*10^9/l", "10**9/l", "e9/l", "10*3/ul", "10^3/ul", "x10^3/ul", "x10e3/ul", "10e3/ul",
			"x10*3/ul", "k/ul", "thou/ul", "10*3/mm3", "10^3/mm3", "/nl");

	/** Upper-case G is giga: "G/L" is a count, "g/L" is grams. */
	private static final Set<String> GIGA_SPELLINGS = Set.of("G/L", "Gpt/L", "GPT/L");

	private static final Map<String, BigDecimal> GRAM_SPELLINGS = Map.of("g/l", BigDecimal.ONE, "gm/l", BigDecimal.ONE,
			"g/dl", BigDecimal.TEN, "gm/dl", BigDecimal.TEN, "g%", BigDecimal.TEN, "mg/ml", BigDecimal.ONE);

	private static final Set<String> PERCENT_SPELLINGS = Set.of("%", "percent", "pct", "%cells");

	private UcumUnits() {
	}

	/**
	 * The conversion of {@code unit} to {@code targetCode}, or empty when the unit does
	 * not fit.
	 */
	static Optional<Conversion> toTarget(String targetCode, String unit) {
		if (unit == null || unit.isBlank()) {
			return Optional.empty();
		}
		String compact = compact(unit);
		String lower = compact.toLowerCase(Locale.ROOT);
		return switch (targetCode) {
			case PER_LITRE_E9 -> COUNT_SPELLINGS.contains(lower) || GIGA_SPELLINGS.contains(compact)
					? Optional.of(new Conversion(PER_LITRE_E9, "10^9/L", BigDecimal.ONE)) : Optional.empty();
			case GRAMS_PER_LITRE -> Optional.ofNullable(GRAM_SPELLINGS.get(lower))
				.map(factor -> new Conversion(GRAMS_PER_LITRE, "g/L", factor));
			case PERCENT -> PERCENT_SPELLINGS.contains(lower)
					? Optional.of(new Conversion(PERCENT, "%", BigDecimal.ONE)) : Optional.empty();
			default -> Optional.empty();
		};
	}

	/**
	 * Common laboratory units whose usual spelling, lower-cased, maps to one UCUM code.
	 */
	private static final Map<String, String> COMMON = Map.ofEntries(Map.entry("fl", "fL"), Map.entry("pg", "pg"),
			Map.entry("g/l", "g/L"), Map.entry("g/dl", "g/dL"), Map.entry("mg/dl", "mg/dL"), Map.entry("mg/l", "mg/L"),
			Map.entry("mmol/l", "mmol/L"), Map.entry("umol/l", "umol/L"), Map.entry("u/l", "U/L"),
			Map.entry("iu/l", "[IU]/L"), Map.entry("s", "s"), Map.entry("10*12/l", "10*12/L"),
			Map.entry("10^12/l", "10*12/L"), Map.entry("x10e12/l", "10*12/L"), Map.entry("x10^12/l", "10*12/L"),
			Map.entry("10*6/ul", "10*12/L"), Map.entry("10^6/ul", "10*12/L"), Map.entry("m/ul", "10*12/L"));

	/**
	 * The UCUM code of a unit as a laboratory writes it, for results HemeFHIR does not
	 * model (no conversion: only spellings of the very same unit), or empty when it is
	 * not recognised.
	 */
	static Optional<String> ucumCode(String unit) {
		if (unit == null || unit.isBlank()) {
			return Optional.empty();
		}
		String compact = compact(unit);
		String lower = compact.toLowerCase(Locale.ROOT);
		if (COUNT_SPELLINGS.contains(lower) || GIGA_SPELLINGS.contains(compact)) {
			return Optional.of(PER_LITRE_E9);
		}
		if (PERCENT_SPELLINGS.contains(lower)) {
			return Optional.of(PERCENT);
		}
		return Optional.ofNullable(COMMON.get(lower));
	}

	/** Without spaces, micro signs as u. */
	private static String compact(String unit) {
		return unit.trim().replace('\u00b5', 'u').replace('\u03bc', 'u').replace(" ", "");
	}

	/** How a sender may write the target unit, for error messages. */
	static String accepted(String targetCode) {
		return switch (targetCode) {
			case PER_LITRE_E9 -> "10*9/L (also 10^9/L, x10E9/L, G/L, 10*3/uL, K/uL)";
			case GRAMS_PER_LITRE -> "g/L (also g/dL, converted x10)";
			case PERCENT -> "%";
			default -> targetCode;
		};
	}

}
