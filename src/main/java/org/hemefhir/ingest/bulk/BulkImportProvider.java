package org.hemefhir.ingest.bulk;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.jobs.imprt.BulkImportAppCtx;
import ca.uhn.fhir.batch2.jobs.imprt.BulkImportJobParameters;
import ca.uhn.fhir.batch2.jobs.imprt.BulkImportReportJson;
import ca.uhn.fhir.batch2.jobs.imprt.ResourceOrderUtil;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.JobInstanceStartRequest;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.model.util.JpaConstants;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import ca.uhn.fhir.util.JsonUtil;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.hemefhir.system.OperationOutcomes;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;

/**
 * FHIR Bulk Data {@code $import} (the "import by manifest" Parameters HAPI defines) and
 * its {@code $import-poll-status}, run by HAPI's batch2 import job. Every URL is checked
 * against the configured sources before a job exists; the poll answers 202 while the job
 * runs, 200 with its report when every resource was stored, and 422 naming each resource
 * that was refused (the others are stored) or why the job stopped.
 */
class BulkImportProvider {

	static final String FORMAT = Constants.CT_FHIR_NDJSON;

	static final String SETTING = "hemefhir.bulk-import.allowed-url-prefixes";

	/** The parameters of a kick-off, for the server's check of unknown parameters. */
	static final String[] PARAMETERS = { "inputFormat", "inputSource", "storageDetail", "input" };

	private final IJobCoordinator jobs;

	private final FhirContext context;

	private final ImportSources sources;

	private final BulkImportProperties properties;

	private volatile List<String> typeOrder;

	BulkImportProvider(IJobCoordinator jobs, FhirContext context, BulkImportProperties properties) {
		this.jobs = jobs;
		this.context = context;
		this.properties = properties;
		this.sources = new ImportSources(properties.allowedUrlPrefixes());
	}

	@Operation(name = JpaConstants.OPERATION_IMPORT, idempotent = false, manualResponse = true)
	public void kickOff(ServletRequestDetails request, @ResourceParam Parameters body, HttpServletResponse response)
			throws IOException {
		if (!sources.configured()) {
			throw forbidden("Bulk import is not configured on this server: no place to fetch files from is allowed ("
					+ SETTING + " is empty); nothing was imported", null);
		}
		String prefer = request.getHeader(Constants.HEADER_PREFER);
		if (prefer == null || !prefer.toLowerCase(Locale.ROOT).contains(Constants.HEADER_PREFER_RESPOND_ASYNC)) {
			throw invalid(IssueType.REQUIRED, "$import needs the header 'Prefer: respond-async'", null);
		}
		if (body == null) {
			throw invalid(IssueType.REQUIRED, "$import needs a Parameters body", null);
		}
		String format = value(body, "inputFormat");
		if (!FORMAT.equals(format)) {
			throw invalid(IssueType.VALUE,
					"inputFormat must be " + FORMAT + (format == null ? "" : ", not '" + format + "'"),
					"Parameters.parameter.where(name = 'inputFormat')");
		}
		List<Input> inputs = inputs(body);
		BulkImportJobParameters job = new BulkImportJobParameters();
		job.setMaxBatchResourceCount(batchSize(body));
		ParametersParameterComponent storage = body.getParameter("storageDetail");
		if (storage != null) {
			String credential = part(storage, "credentialHttpBasic");
			if (credential != null) {
				job.setHttpBasicCredentials(credential);
			}
			String compartment = part(storage, "chunkByCompartmentName");
			if (compartment != null) {
				job.setChunkByCompartmentName(compartment);
			}
		}
		// Referenced types first (Patient before Observation), so fewer chunks wait for
		// what they point at; inputs of one type keep their order.
		List<String> order = typeOrder();
		inputs.stream()
			.sorted(Comparator.comparingInt(i -> order.indexOf(i.type())))
			.forEach(i -> job.addNdJsonUrl(i.url()));
		JobInstanceStartRequest start = new JobInstanceStartRequest(BulkImportAppCtx.JOB_BULK_IMPORT_PULL, job);
		String id = jobs.startInstance(request, start).getInstanceId();

		String poll = request.getFhirServerBase() + "/" + JpaConstants.OPERATION_IMPORT_POLL_STATUS + "?"
				+ JpaConstants.PARAM_IMPORT_POLL_STATUS_JOB_ID + "=" + id;
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
			.setSeverity(IssueSeverity.INFORMATION)
			.setCode(IssueType.INFORMATIONAL)
			.setDiagnostics("Bulk import job " + id + " started with " + inputs.size() + " file(s); poll " + poll);
		response.addHeader(Constants.HEADER_CONTENT_LOCATION, poll);
		write(response, Constants.STATUS_HTTP_202_ACCEPTED, outcome);
	}

	@Operation(name = JpaConstants.OPERATION_IMPORT_POLL_STATUS, manualResponse = true, idempotent = true)
	public void poll(@OperationParam(name = JpaConstants.PARAM_IMPORT_POLL_STATUS_JOB_ID, typeName = "string", min = 0,
			max = 1) IPrimitiveType<String> jobId, ServletRequestDetails request) throws IOException {
		if (jobId == null || jobId.getValue() == null || jobId.getValue().isBlank()) {
			throw invalid(IssueType.REQUIRED, "$import-poll-status needs _jobId: use the Content-Location URL of the "
					+ "kick-off response as it is", null);
		}
		JobInstance instance;
		try {
			instance = jobs.getInstance(jobId.getValue());
		}
		catch (RuntimeException e) {
			instance = null;
		}
		if (instance == null || !BulkImportAppCtx.JOB_BULK_IMPORT_PULL.equals(instance.getJobDefinitionId())) {
			throw new ResourceNotFoundException("No bulk import job " + jobId.getValue());
		}
		HttpServletResponse response = request.getServletResponse();
		ImportReport report = ImportReport.of(report(instance));
		switch (instance.getStatus()) {
			case COMPLETED:
				write(response, Constants.STATUS_HTTP_200_OK, report.summary(instance.getInstanceId()));
				break;
			case FAILED:
				write(response, Constants.STATUS_HTTP_422_UNPROCESSABLE_ENTITY,
						report.failure(instance.getInstanceId(), instance.getErrorMessage()));
				break;
			case CANCELLED:
				throw new ResourceNotFoundException("Bulk import job " + instance.getInstanceId() + " was cancelled");
			default:
				// QUEUED, IN_PROGRESS, FINALIZE, and ERRORED (a step failed and is
				// retried)
				String progress = "Bulk import job " + instance.getInstanceId() + " is " + instance.getStatus() + ", "
						+ Math.round(100 * instance.getProgress()) + " % done";
				response.addHeader(Constants.HEADER_X_PROGRESS, progress);
				response.addHeader(Constants.HEADER_RETRY_AFTER, "2");
				OperationOutcome outcome = new OperationOutcome();
				outcome.addIssue()
					.setSeverity(IssueSeverity.INFORMATION)
					.setCode(IssueType.INFORMATIONAL)
					.setDiagnostics(progress);
				write(response, Constants.STATUS_HTTP_202_ACCEPTED, outcome);
		}
	}

	/** The report text the job's last step wrote, or null. */
	private static String report(JobInstance instance) {
		String report = instance.getReport();
		if (report == null || !report.stripLeading().startsWith("{")) {
			return report;
		}
		try {
			return JsonUtil.deserialize(report, BulkImportReportJson.class).getReportMsg();
		}
		catch (RuntimeException e) {
			return report;
		}
	}

	private List<Input> inputs(Parameters body) {
		List<Input> inputs = new ArrayList<>();
		List<ParametersParameterComponent> given = body.getParameters("input");
		if (given.isEmpty()) {
			throw invalid(IssueType.REQUIRED, "$import needs at least one input (type and url)", null);
		}
		if (given.size() > properties.maxInputs()) {
			throw invalid(IssueType.TOOCOSTLY, "$import names " + given.size() + " inputs; at most "
					+ properties.maxInputs() + " are taken (hemefhir.bulk-import.max-inputs)", null);
		}
		for (int i = 0; i < given.size(); i++) {
			String where = "Parameters.parameter.where(name = 'input')[" + i + "]";
			String type = part(given.get(i), "type");
			String url = part(given.get(i), "url");
			if (type == null || !context.getResourceTypes().contains(type)) {
				throw invalid(IssueType.VALUE, "input " + i + " needs a type that is a FHIR R4 resource type"
						+ (type == null ? "" : ", not '" + type + "'"), where);
			}
			if (url == null) {
				throw invalid(IssueType.REQUIRED, "input " + i + " (" + type + ") needs a url", where);
			}
			if (!sources.allows(url)) {
				throw forbidden(
						"input " + i + " (" + type + "): the server does not fetch " + url
								+ "; it fetches only from the places listed in " + SETTING + "; nothing was imported",
						where);
			}
			inputs.add(new Input(type, url));
		}
		return inputs;
	}

	private int batchSize(Parameters body) {
		ParametersParameterComponent storage = body.getParameter("storageDetail");
		String asked = storage == null ? null : part(storage, "maxBatchResourceCount");
		if (asked == null) {
			return properties.batchSize();
		}
		try {
			int size = Integer.parseInt(asked);
			if (size >= 1 && size <= properties.batchSize()) {
				return size;
			}
		}
		catch (NumberFormatException e) {
			// refused below
		}
		throw invalid(IssueType.VALUE, "storageDetail.maxBatchResourceCount must be a whole number from 1 to "
				+ properties.batchSize() + " (hemefhir.bulk-import.batch-size), not '" + asked + "'", null);
	}

	private static String value(Parameters body, String name) {
		ParametersParameterComponent parameter = body.getParameter(name);
		return parameter == null || parameter.getValue() == null ? null : parameter.getValue().primitiveValue();
	}

	private static String part(ParametersParameterComponent parameter, String name) {
		return parameter.getPart()
			.stream()
			.filter(p -> name.equals(p.getName()) && p.getValue() != null)
			.map(p -> p.getValue().primitiveValue())
			.filter(v -> v != null && !v.isBlank())
			.findFirst()
			.orElse(null);
	}

	private synchronized List<String> typeOrder() {
		if (typeOrder == null) {
			typeOrder = ResourceOrderUtil.getResourceOrder(context);
		}
		return typeOrder;
	}

	private void write(HttpServletResponse response, int status, OperationOutcome outcome) throws IOException {
		response.setStatus(status);
		response.setContentType(Constants.CT_FHIR_JSON_NEW + Constants.CHARSET_UTF8_CTSUFFIX);
		context.newJsonParser().setPrettyPrint(true).encodeResourceToWriter(outcome, response.getWriter());
		response.getWriter().close();
	}

	private static InvalidRequestException invalid(IssueType type, String message, String expression) {
		return new InvalidRequestException(message, OperationOutcomes.error(type, message, expression));
	}

	private static ForbiddenOperationException forbidden(String message, String expression) {
		return new ForbiddenOperationException(message,
				OperationOutcomes.error(IssueType.FORBIDDEN, message, expression));
	}

	private record Input(String type, String url) {
	}

}
