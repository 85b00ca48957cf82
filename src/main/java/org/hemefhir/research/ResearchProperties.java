package org.hemefhir.research;

import java.math.BigDecimal;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Defaults of the research operations; each can be overridden per request.
 *
 * @param ancThreshold neutrophil recovery threshold in 10^9/L ($outcomes {@code anc-threshold})
 * @param ancConsecutive number of successive ANC measurements that must meet it ({@code anc-consecutive})
 * @param plateletThreshold platelet recovery threshold in 10^9/L ({@code platelet-threshold})
 * @param transfusionFreeDays days before a platelet count with no platelet transfusion ({@code transfusion-free-days})
 * @param comparator {@code ge} (≥, the default) or {@code gt} (>) for both thresholds ({@code comparator})
 * @param pseudonymKey secret of the de-identified export's pseudonyms and date shifts; the same key
 *     gives the same pseudonyms and shifts on every export. Empty: a key made once and kept in
 *     {@code <data-dir>/deidentification.key}
 * @param minDateShiftDays smallest date shift of the de-identified export, in days (either direction);
 *     larger than a course, a shifted date never equals one of the patient's original dates
 * @param maxDateShiftDays largest date shift of the de-identified export, in days
 */
@ConfigurationProperties(prefix = "hemefhir.research")
public record ResearchProperties(
		@DefaultValue("0.5") BigDecimal ancThreshold,
		@DefaultValue("3") int ancConsecutive,
		@DefaultValue("20") BigDecimal plateletThreshold,
		@DefaultValue("7") int transfusionFreeDays,
		@DefaultValue("ge") String comparator,
		@DefaultValue("") String pseudonymKey,
		@DefaultValue("730") int minDateShiftDays,
		@DefaultValue("1825") int maxDateShiftDays) {}
