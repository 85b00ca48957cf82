package org.hemefhir.security;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.bulk.BulkExportJobParameters;
import ca.uhn.fhir.rest.api.server.bulk.BulkExportJobParameters.ExportStyle;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Parameters;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Bulk export under scopes. At kick-off: the types must be ones the token's read scopes
 * cover whole (without {@code _type}, the export holds those types only), a
 * {@code patient/} token exports its own patient only, a
 * {@link Grants#DEIDENTIFIED_EXPORT_SCOPE} token only with {@code _deidentify=true}. The
 * job is marked with the client that started it (HAPI copies the mark onto every export
 * file as the Binary's security context); polling and the files are that client's alone.
 */
@Interceptor
class ExportAccess {

	/** The identifier system of the export job's owner: the token's client. */
	static final String OWNER_SYSTEM = "urn:hemefhir:export-client";

	/**
	 * As the job carries it, once the export module has moved a POST body's flag there.
	 */
	private static final Pattern DEIDENTIFY = Pattern.compile("[?&]_deidentify=true(&|$)");

	private final IJobCoordinator jobs;

	private final FhirContext context;

	ExportAccess(IJobCoordinator jobs, FhirContext context) {
		this.jobs = jobs;
		this.context = context;
	}

	/** Who a token acts for: its {@code client_id} claim, else its subject. */
	static String client(Jwt token) {
		String client = token.getClaimAsString("client_id");
		return client == null || client.isBlank() ? token.getSubject() : client;
	}

	/** The client that owns an export file, or null for any other resource. */
	static String owner(IBaseResource resource) {
		if (resource instanceof Binary binary && binary.hasSecurityContext()
				&& binary.getSecurityContext().hasIdentifier()
				&& OWNER_SYSTEM.equals(binary.getSecurityContext().getIdentifier().getSystem())) {
			return binary.getSecurityContext().getIdentifier().getValue();
		}
		return null;
	}

	/**
	 * Runs after the export module's kick-off hook (order 0), so the job's URL carries
	 * {@code _deidentify} however the client sent it.
	 */
	@Hook(value = Pointcut.STORAGE_PRE_INITIATE_BULK_EXPORT, order = 100)
	public void checkKickOff(BulkExportJobParameters job, RequestDetails request) {
		Jwt token = request instanceof ServletRequestDetails ? ScopeAuthorization.token() : null;
		if (token == null) {
			// the server's own export: no client
			return;
		}
		job.setBinarySecurityContextIdentifierSystem(OWNER_SYSTEM);
		job.setBinarySecurityContextIdentifierValue(client(token));
		Grants grants = Grants.of(token);
		if (grants.admin()) {
			return;
		}
		Set<String> allTypes = context.getResourceTypes();
		Set<String> allowed = new TreeSet<>(grants.exportable(allTypes, false));
		if (ownPatientOnly(job, grants)) {
			allowed.addAll(grants.exportable(allTypes, true));
		}
		if (allowed.isEmpty()) {
			throw new ForbiddenOperationException("No scope of the token allows this export: $export needs read "
					+ "scopes (.rs or .read, without a search restriction) on the exported types"
					+ (grants.patient() != null
							? ", and a patient/ token exports only Patient/" + grants.patient() + "/$export" : ""));
		}
		if (grants.deidentifiedOnly()
				&& (job.getOriginalRequestUrl() == null || !DEIDENTIFY.matcher(job.getOriginalRequestUrl()).find())) {
			throw new ForbiddenOperationException("The token allows a de-identified export only (scope "
					+ Grants.DEIDENTIFIED_EXPORT_SCOPE + "): add _deidentify=true; nothing was exported");
		}
		if (typesRequested(request)) {
			Set<String> refused = new TreeSet<>(job.getResourceTypes());
			refused.removeAll(allowed);
			if (!refused.isEmpty()) {
				throw new ForbiddenOperationException("The token's scopes do not allow exporting "
						+ String.join(", ", refused) + "; its read scopes cover " + String.join(", ", allowed));
			}
		}
		else {
			// no _type: everything the token may read, and nothing else
			List<String> types = job.getResourceTypes().stream().filter(allowed::contains).toList();
			if (types.isEmpty()) {
				throw new ForbiddenOperationException("None of the exported types is covered by the token's read "
						+ "scopes (" + String.join(", ", allowed) + ")");
			}
			job.setResourceTypes(types);
		}
	}

	/** A patient-level export of exactly the token's patient. */
	private static boolean ownPatientOnly(BulkExportJobParameters job, Grants grants) {
		if (grants.patient() == null || job.getExportStyle() != ExportStyle.PATIENT || job.getPatientIds() == null
				|| job.getPatientIds().size() != 1) {
			return false;
		}
		IdType asked = new IdType(job.getPatientIds().get(0));
		return "Patient".equals(asked.hasResourceType() ? asked.getResourceType() : "Patient")
				&& grants.patient().equals(asked.getIdPart());
	}

	private static boolean typesRequested(RequestDetails request) {
		String[] inUrl = request.getParameters().get("_type");
		if (inUrl != null && inUrl.length > 0) {
			return true;
		}
		return request.getResource() instanceof Parameters parameters
				&& parameters.getParameter().stream().anyMatch(p -> "_type".equals(p.getName()));
	}

	/**
	 * Polling (and cancelling) a job is for the client that started it; to any other
	 * client the job does not exist.
	 */
	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void pollOwnJobsOnly(RequestDetails request) {
		if (!"$export-poll-status".equals(request.getOperation()) || !(request instanceof ServletRequestDetails)) {
			return;
		}
		Jwt token = ScopeAuthorization.token();
		String[] jobId = request.getParameters().get("_jobId");
		if (token == null || Grants.of(token).admin() || jobId == null || jobId.length == 0) {
			return;
		}
		String notFound = "No export job " + jobId[0] + " was started by this client";
		BulkExportJobParameters job;
		try {
			JobInstance instance = jobs.getInstance(jobId[0]);
			job = instance.getParameters(BulkExportJobParameters.class);
		}
		catch (RuntimeException e) {
			throw new ResourceNotFoundException(notFound);
		}
		if (!OWNER_SYSTEM.equals(job.getBinarySecurityContextIdentifierSystem())
				|| !client(token).equals(job.getBinarySecurityContextIdentifierValue())) {
			throw new ResourceNotFoundException(notFound);
		}
	}

}
