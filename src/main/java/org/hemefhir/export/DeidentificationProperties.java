package org.hemefhir.export;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The de-identified export ({@code _deidentify=true}). The keys keep the prefix they were
 * given when research access was one feature: {@code hemefhir.research.*}.
 *
 * @param pseudonymKey secret of the pseudonyms and date shifts; the same key gives the
 * same pseudonyms and shifts on every export. Empty: a key made once and kept in the
 * database, the same on every node
 * @param minDateShiftDays smallest date shift, in days (either direction); larger than a
 * course, a shifted date never equals one of the patient's original dates
 * @param maxDateShiftDays largest date shift, in days
 */
@ConfigurationProperties(prefix = "hemefhir.research")
public record DeidentificationProperties(@DefaultValue("") String pseudonymKey,
		@DefaultValue("730") int minDateShiftDays, @DefaultValue("1825") int maxDateShiftDays) {
}
