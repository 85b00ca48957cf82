package org.hemefhir.fhirserver;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the server itself.
 *
 * @param dataDir directory of the embedded H2 database (ignored when
 * spring.datasource.url is set)
 * @param maxRequestBytes largest request body accepted; larger bodies get 413
 * @param defaultPageSize search page size when the client gives no _count
 * @param maxPageSize largest _count honoured
 * @param writeConflictRetries how often a write that collided with a concurrent one is
 * run again (two copies of one conditional create arriving together: the second then
 * finds the first)
 * @param batchMaintenanceInterval how often HAPI's batch2 maintenance pass moves Bulk
 * export and import jobs from one step to the next; each step of a job waits for it
 */
@ConfigurationProperties(prefix = "hemefhir")
public record ServerProperties(@DefaultValue("./data") Path dataDir, @DefaultValue("5MB") DataSize maxRequestBytes,
		@DefaultValue("20") int defaultPageSize, @DefaultValue("500") int maxPageSize,
		@DefaultValue("5") int writeConflictRetries, @DefaultValue("5s") Duration batchMaintenanceInterval) {
}
