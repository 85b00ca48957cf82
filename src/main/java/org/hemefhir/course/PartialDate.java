package org.hemefhir.course;

import java.time.LocalDate;

/**
 * A FHIR date that may be known only to the month or the year ({@code 2024},
 * {@code 2024-05}, {@code 2024-05-07}, or the date part of a dateTime): the first and
 * last day it can be. Used by the course rules and by the de-identified export, which
 * shifts such dates without inventing precision.
 */
public record PartialDate(String text, LocalDate first, LocalDate last) {

	public static PartialDate of(String text) {
		String[] parts = text.substring(0, Math.min(10, text.length())).split("-");
		int year = Integer.parseInt(parts[0]);
		if (parts.length == 1) {
			return new PartialDate(text, LocalDate.of(year, 1, 1), LocalDate.of(year, 12, 31));
		}
		int month = Integer.parseInt(parts[1]);
		if (parts.length == 2) {
			LocalDate first = LocalDate.of(year, month, 1);
			return new PartialDate(text, first, first.plusMonths(1).minusDays(1));
		}
		LocalDate day = LocalDate.of(year, month, Integer.parseInt(parts[2]));
		return new PartialDate(text, day, day);
	}

	/** Known to the day. */
	public boolean exact() {
		return first.equals(last);
	}
}
