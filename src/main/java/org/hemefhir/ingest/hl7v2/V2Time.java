package org.hemefhir.ingest.hl7v2;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.DateTimeType;

/**
 * HL7 v2 DTM/TS values ({@code YYYY[MM[DD[HH[MM[SS[.S...]]]]]][+/-ZZZZ]}) as FHIR
 * dateTime.
 */
final class V2Time {

	private static final Pattern DTM = Pattern
		.compile("(\\d{4})(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?(?:\\.(\\d{1,4}))?([+-]\\d{4})?");

	private V2Time() {
	}

	/**
	 * The FHIR dateTime of a v2 timestamp; a date stays a date, a time gets seconds and
	 * an offset (FHIR requires one), taken from the value or else from {@code zone}.
	 * @throws IllegalArgumentException when the value is not a v2 timestamp
	 */
	static DateTimeType toFhir(String value, ZoneId zone) {
		try {
			return convert(value, zone);
		}
		catch (IllegalArgumentException e) {
			throw e;
		}
		catch (RuntimeException e) {
			// a month 00 or 13, an offset of +9999 and the like (found by fuzzing: a
			// 500-like internal error before)
			throw new IllegalArgumentException("'" + value + "' is not a valid date/time", e);
		}
	}

	private static DateTimeType convert(String value, ZoneId zone) {
		Matcher m = DTM.matcher(value == null ? "" : value.trim());
		if (!m.matches()) {
			throw new IllegalArgumentException(
					"'" + value + "' is not an HL7 v2 date/time (YYYYMMDD[HHMM[SS]][+/-ZZZZ])");
		}
		if (m.group(2) == null) {
			return new DateTimeType(m.group(1));
		}
		if (m.group(3) == null) {
			return new DateTimeType(m.group(1) + "-" + m.group(2));
		}
		String date = m.group(1) + "-" + m.group(2) + "-" + m.group(3);
		try {
			java.time.LocalDate.parse(date);
		}
		catch (RuntimeException e) {
			throw new IllegalArgumentException("'" + value + "' is not a valid date");
		}
		if (m.group(4) == null) {
			return new DateTimeType(date);
		}
		int hour = Integer.parseInt(m.group(4));
		int minute = m.group(5) == null ? 0 : Integer.parseInt(m.group(5));
		int second = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
		LocalDateTime local;
		try {
			local = LocalDateTime.parse(date + "T00:00:00").withHour(hour).withMinute(minute).withSecond(second);
		}
		catch (RuntimeException e) {
			throw new IllegalArgumentException("'" + value + "' is not a valid date/time");
		}
		ZoneOffset offset = m.group(8) != null
				? ZoneOffset.of(m.group(8).substring(0, 3) + ":" + m.group(8).substring(3))
				: zone.getRules().getOffset(local);
		String fraction = m.group(7) == null ? "" : "." + m.group(7);
		String text = "%sT%02d:%02d:%02d%s%s".formatted(date, hour, minute, second, fraction,
				offset.getId().equals("Z") ? "Z" : offset.getId());
		return new DateTimeType(text);
	}

}
