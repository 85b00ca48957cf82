package org.hemefhir.course;

import java.math.BigDecimal;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Defaults of {@code $outcomes}; each can be overridden per request. (The de-identified
 * export's settings share the prefix: {@code export.DeidentificationProperties}.)
 *
 * @param ancThreshold neutrophil recovery threshold in 10^9/L ($outcomes
 * {@code anc-threshold})
 * @param ancConsecutive number of successive ANC measurements that must meet it
 * ({@code anc-consecutive})
 * @param plateletThreshold platelet recovery threshold in 10^9/L
 * ({@code platelet-threshold})
 * @param transfusionFreeDays days before a platelet count with no platelet transfusion
 * ({@code transfusion-free-days})
 * @param comparator {@code ge} (≥, the default) or {@code gt} (>) for both thresholds
 * ({@code comparator})
 */
@ConfigurationProperties(prefix = "hemefhir.research")
public record OutcomeProperties(@DefaultValue("0.5") BigDecimal ancThreshold, @DefaultValue("3") int ancConsecutive,
		@DefaultValue("20") BigDecimal plateletThreshold, @DefaultValue("7") int transfusionFreeDays,
		@DefaultValue("ge") String comparator) {
}
