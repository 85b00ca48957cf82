package org.hemefhir.fhirserver;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * When the embedded database's planner statistics are refreshed ({@link H2Statistics}).
 *
 * @param enabled whether they are refreshed at all (ignored on PostgreSQL, whose
 * autovacuum analyzes its tables itself)
 * @param checkEvery how often the number of stored resource versions is compared with the
 * number at the last refresh
 * @param growthPercent how much that number must have grown since, in percent, for
 * another refresh
 */
@ConfigurationProperties(prefix = "hemefhir.h2-statistics")
public record H2StatisticsProperties(@DefaultValue("true") boolean enabled, @DefaultValue("10s") Duration checkEvery,
		@DefaultValue("20") int growthPercent) {
}
