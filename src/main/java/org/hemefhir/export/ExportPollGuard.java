package org.hemefhir.export;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.springframework.stereotype.Component;

/**
 * A poll without {@code _jobId} is the client's mistake; HAPI's provider would answer it
 * with a 500.
 */
@Component
@Interceptor
class ExportPollGuard {

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void requireJobId(RequestDetails request) {
		if ("$export-poll-status".equals(request.getOperation())) {
			String[] jobId = request.getParameters().get("_jobId");
			if (jobId == null || jobId.length == 0 || jobId[0].isBlank()) {
				throw new InvalidRequestException("$export-poll-status needs _jobId: use the Content-Location URL "
						+ "of the kick-off response as it is");
			}
		}
	}

}
