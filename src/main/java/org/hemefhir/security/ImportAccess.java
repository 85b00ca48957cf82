package org.hemefhir.security;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * A bulk import job belongs to the client that started it: the job records the token's
 * client when it is created, and polling it is that client's alone (to any other client
 * it does not exist), as with export. Which tokens may start one is a rule of
 * {@link ScopeAuthorization}.
 */
@Interceptor
class ImportAccess {

	private final IJobCoordinator jobs;

	ImportAccess(IJobCoordinator jobs) {
		this.jobs = jobs;
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_BATCH_JOB_CREATE)
	public void recordClient(JobInstance job, RequestDetails request) {
		Jwt token = request instanceof ServletRequestDetails ? ScopeAuthorization.token() : null;
		if (token != null) {
			job.setTriggeringClientId(ExportAccess.client(token));
		}
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void pollOwnJobsOnly(RequestDetails request) {
		if (!"$import-poll-status".equals(request.getOperation()) || !(request instanceof ServletRequestDetails)) {
			return;
		}
		Jwt token = ScopeAuthorization.token();
		String[] jobId = request.getParameters().get("_jobId");
		Grants grants = token == null ? null : Grants.of(token);
		// without the import scope the authorization rules refuse the poll (403)
		if (grants == null || grants.admin() || !grants.bulkImport() || jobId == null || jobId.length == 0) {
			return;
		}
		JobInstance job;
		try {
			job = jobs.getInstance(jobId[0]);
		}
		catch (RuntimeException e) {
			job = null;
		}
		if (job == null || !ExportAccess.client(token).equals(job.getTriggeringClientId())) {
			throw new ResourceNotFoundException("No bulk import job " + jobId[0] + " was started by this client");
		}
	}

}
