package org.hemefhir.system;

import java.time.Duration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component "requests": OVERLOADED while requests are being
 * turned away (in the last ten seconds), UP otherwise, with the figures behind it.
 * OVERLOADED is answered with HTTP 200 (see application.yaml): the node works, it is only
 * full.
 */
@Component("requests")
class AdmissionHealthIndicator implements HealthIndicator {

	static final Status OVERLOADED = new Status("OVERLOADED",
			"requests are being turned away with 503; the server is at " + "hemefhir.limits.max-concurrent-requests");

	private static final Duration WINDOW = Duration.ofSeconds(10);

	private final Admission admission;

	AdmissionHealthIndicator(Admission admission) {
		this.admission = admission;
	}

	@Override
	public Health health() {
		return Health.status(admission.refusedWithin(WINDOW) ? OVERLOADED : Status.UP)
			.withDetail("inFlight", admission.inFlight())
			.withDetail("maxConcurrentRequests", admission.limits().maxConcurrentRequests())
			.withDetail("admitted", admission.admitted())
			.withDetail("refused", admission.refused())
			.build();
	}

}
