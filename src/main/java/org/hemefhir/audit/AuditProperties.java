package org.hemefhir.audit;

import java.time.Duration;
import java.time.Period;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The audit trail: an AuditEvent for every request and a Provenance for every write.
 *
 * @param enabled record AuditEvents and Provenance; off only where another component (a
 * proxy, an API gateway) keeps the trail
 * @param retention how long AuditEvents are kept before the purge deletes them; six
 * years, the retention HIPAA asks for security documentation (45 CFR 164.316(b)(2)) and a
 * common floor for clinical audit logs; shorten it only where local law allows
 * @param purgeInterval how often the purge runs (the first run is one minute after start)
 * @param queueCapacity events held in memory for the background writer; more arriving
 * while it is full are appended to {@code audit-spill.ndjson} in the data directory and
 * stored later, never dropped
 * @param batchSize events the writer takes from the queue at a time (each is stored in
 * its own database transaction; see AuditStore)
 */
@ConfigurationProperties(prefix = "hemefhir.audit")
public record AuditProperties(@DefaultValue("true") boolean enabled, @DefaultValue("6y") Period retention,
		@DefaultValue("1d") Duration purgeInterval, @DefaultValue("10000") int queueCapacity,
		@DefaultValue("200") int batchSize) {
}
