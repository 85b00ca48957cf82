package org.hemefhir.system;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The decimals the server accepts, wherever they arrive (a resource in JSON or XML, a
 * search or operation parameter, an HL7 v2 field): a magnitude within what storage
 * indexes as a double (about ±1.8e308), and at most {@value #MAX_WRITTEN_DIGITS} digits
 * when written out without an exponent. The second rule matters because libraries write
 * decimals out in full: HAPI's JSON reader turns {@code 1e999999} into a million-digit
 * string, and stripping or comparing such a number pins a core for minutes. Every check
 * here costs time proportional to the text, never to the number's expansion.
 */
public final class DecimalBounds {

	public static final int MAX_WRITTEN_DIGITS = 1000;

	/** Largest decimal exponent of a double (1.8e308). */
	static final int MAX_EXPONENT = 308;

	private static final int SHOWN_CHARACTERS = 40;

	private DecimalBounds() {
	}

	/** Why {@code value} is refused, or empty when it is acceptable. */
	public static Optional<String> problem(BigDecimal value) {
		int precision = value.precision();
		// shown as 1E+400, not as 401 digits; stripping is cheap at the sizes the body
		// checks let through
		String shown = precision <= MAX_WRITTEN_DIGITS ? value.stripTrailingZeros().toString()
				: "of " + precision + " digits";
		return problem(value.signum() == 0, precision, value.scale(), shown, () -> value);
	}

	/**
	 * Why the number written as {@code text} (JSON/FHIR decimal syntax, also {@code 1E5},
	 * a leading {@code +}) is refused, or empty when it is acceptable or is no number at
	 * all (syntax is for the parser to judge).
	 */
	public static Optional<String> problem(CharSequence text) {
		int length = text.length();
		int i = 0;
		if (i < length && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
			i++;
		}
		int significant = 0;
		int fractionDigits = 0;
		boolean seenPoint = false;
		boolean seenDigit = false;
		for (; i < length; i++) {
			char c = text.charAt(i);
			if (c == '.') {
				if (seenPoint) {
					return Optional.empty();
				}
				seenPoint = true;
			}
			else if (c >= '0' && c <= '9') {
				seenDigit = true;
				if (significant > 0 || c != '0') {
					significant++;
				}
				if (seenPoint) {
					fractionDigits++;
				}
			}
			else {
				break;
			}
		}
		if (!seenDigit) {
			return Optional.empty();
		}
		long exponent = 0;
		if (i < length && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
			i++;
			boolean negative = false;
			if (i < length && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
				negative = text.charAt(i) == '-';
				i++;
			}
			int exponentStart = i;
			for (; i < length && text.charAt(i) >= '0' && text.charAt(i) <= '9'; i++) {
				// saturate: an exponent of more than 12 digits is out of range however it
				// continues
				if (i - exponentStart < 12) {
					exponent = exponent * 10 + (text.charAt(i) - '0');
				}
			}
			if (i == exponentStart) {
				return Optional.empty();
			}
			exponent = negative ? -exponent : exponent;
		}
		if (i != length) {
			return Optional.empty();
		}
		boolean zero = significant == 0;
		// precision as BigDecimal counts it (trailing zeros included): digits from the
		// first non-zero one
		int precision = zero ? 1 : significant;
		long scale = fractionDigits - exponent;
		String written = text.toString();
		return problem(zero, precision, scale, written, () -> new BigDecimal(written));
	}

	/**
	 * Like {@link #problem(CharSequence)}, but only for numbers that would cost time to
	 * read: more than {@value #MAX_WRITTEN_DIGITS} digits written out. Lets a reader that
	 * only guards against the cost (the request body check) leave ordinary range errors
	 * to the validator, which locates them in FHIRPath.
	 */
	public static Optional<String> problemIfCostly(CharSequence text) {
		Optional<String> problem = problem(text);
		return problem.isPresent() && writtenDigits(text) > MAX_WRITTEN_DIGITS ? problem : Optional.empty();
	}

	/** Digits of the number written out in full; 0 for text that is no number. */
	private static long writtenDigits(CharSequence text) {
		String s = text.toString().toLowerCase(java.util.Locale.ROOT);
		int e = s.indexOf('e');
		String mantissa = (e < 0 ? s : s.substring(0, e)).replaceFirst("^[+-]", "");
		long exponent = 0;
		if (e >= 0) {
			String digits = s.substring(e + 1).replaceFirst("^[+-]", "");
			exponent = digits.length() > 12 ? Long.MAX_VALUE / 4 : digits.isEmpty() ? 0 : Long.parseLong(digits);
			exponent = s.charAt(e + 1) == '-' ? -exponent : exponent;
		}
		int point = mantissa.indexOf('.');
		String whole = point < 0 ? mantissa : mantissa.substring(0, point);
		String fraction = point < 0 ? "" : mantissa.substring(point + 1);
		long scale = fraction.length() - exponent;
		long digits = whole.length() + fraction.length();
		return scale >= 0 ? Math.max(digits, scale + 1) : digits - scale;
	}

	/**
	 * The number from {@code text}, or an exception whose message says what is wrong with
	 * it, never taking longer than the text is long.
	 */
	public static BigDecimal parse(String text) {
		String trimmed = text == null ? "" : text.trim();
		Optional<String> problem = problem(trimmed);
		if (problem.isPresent()) {
			throw new NumberFormatException(problem.get());
		}
		if (trimmed.length() > MAX_WRITTEN_DIGITS + 20) {
			throw new NumberFormatException(
					"'" + shown(trimmed) + "' is longer than " + MAX_WRITTEN_DIGITS + " digits");
		}
		return new BigDecimal(trimmed);
	}

	private static Optional<String> problem(boolean zero, int precision, long scale, CharSequence shown,
			Supplier<BigDecimal> value) {
		// Adjusted exponent: the power of ten of the first significant digit.
		long adjusted = precision - scale - 1;
		boolean tooLarge = adjusted > MAX_EXPONENT
				// 1e308 fits a double, 2e308 does not: decide with the number itself,
				// which is small here
				|| adjusted == MAX_EXPONENT && precision <= MAX_WRITTEN_DIGITS
						&& Double.isInfinite(value.get().doubleValue());
		if (!zero && tooLarge) {
			return Optional
				.of("The decimal " + shown(shown) + " is outside the range the server can store (about ±1.8e308)");
		}
		long written = Math.max(precision, Math.max(scale, 0) + 1) + Math.max(-scale, 0);
		if (precision > MAX_WRITTEN_DIGITS || written > MAX_WRITTEN_DIGITS) {
			return Optional.of("The decimal " + shown(shown) + " has more than " + MAX_WRITTEN_DIGITS
					+ " digits when written out; the server accepts decimals of at most that many");
		}
		return Optional.empty();
	}

	private static String shown(CharSequence text) {
		return text.length() <= SHOWN_CHARACTERS ? text.toString() : text.subSequence(0, SHOWN_CHARACTERS) + "…";
	}

}
