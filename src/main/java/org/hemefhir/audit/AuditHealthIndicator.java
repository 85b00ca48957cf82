package org.hemefhir.audit;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component "audit": how many records wait in memory for the
 * background writer (at most {@code hemefhir.audit.queue-capacity}) and whether some wait
 * in the spill file. Always UP: a backlog delays the trail, it loses nothing. The soak
 * benchmark reads it beside the heap, which the queued records take up.
 */
@Component("audit")
class AuditHealthIndicator implements HealthIndicator {

	private final AuditQueue queue;

	private final AuditProperties properties;

	AuditHealthIndicator(AuditQueue queue, AuditProperties properties) {
		this.queue = queue;
		this.properties = properties;
	}

	@Override
	public Health health() {
		return Health.up()
			.withDetail("queued", queue.inMemory())
			.withDetail("queueCapacity", properties.queueCapacity())
			.withDetail("spilledToFile", queue.hasSpilled())
			.build();
	}

}
