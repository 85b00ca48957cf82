package org.hemefhir.ingest;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.model.ResourceVersionConflictResolutionStrategy;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServer;
import org.hemefhir.fhirserver.FhirServerCustomizer;
import org.hemefhir.fhirserver.ServerProperties;
import org.hl7.fhir.r4.model.Bundle;
import org.springframework.stereotype.Component;

/**
 * Senders retry, and a retry can arrive while the first attempt is still being stored (a
 * timeout on the sender's side, two MLLP connections, two server nodes). Two copies of
 * one conditional create then collide on HAPI's uniqueness check and the loser would get
 * 409. HAPI can run the losing transaction again; on the second run the conditional
 * create finds the stored copy and answers 200, exactly as a sequential retry does. Not
 * for writes with {@code If-Match}: their conflict is the answer, running them again
 * cannot change it (also If-Match on an entry of a transaction).
 */
@Component
@Interceptor
class ConcurrentRetryInterceptor implements FhirServerCustomizer {

	private final int retries;

	ConcurrentRetryInterceptor(ServerProperties properties) {
		this.retries = properties.writeConflictRetries();
	}

	@Override
	public void customize(RestfulServer server) {
		server.registerInterceptor(this);
	}

	@Hook(Pointcut.STORAGE_VERSION_CONFLICT)
	public ResourceVersionConflictResolutionStrategy onConflict(RequestDetails request) {
		ResourceVersionConflictResolutionStrategy strategy = new ResourceVersionConflictResolutionStrategy();
		boolean retry = retries > 0 && !versioned(request);
		strategy.setRetry(retry);
		strategy.setMaxRetries(retry ? retries : 0);
		return strategy;
	}

	/** An If-Match on the request or on an entry of its transaction/batch. */
	static boolean versioned(RequestDetails request) {
		if (request == null) {
			return false;
		}
		return request.getHeader(Constants.HEADER_IF_MATCH) != null || (request.getResource() instanceof Bundle bundle
				&& bundle.getEntry().stream().anyMatch(entry -> entry.getRequest().hasIfMatch()));
	}

}
