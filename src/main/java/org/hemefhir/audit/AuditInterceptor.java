package org.hemefhir.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.model.DeleteConflictList;
import ca.uhn.fhir.jpa.delete.DeleteConflictOutcome;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.IPreResourceShowDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.util.Set;
import java.util.Map;
import java.util.stream.Collectors;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * What HAPI knows and the audit filter cannot see from outside: whether a bundle is a
 * transaction or a batch, the parameters of a search posted as a form, the resources
 * stored (with their versions, for the Provenance) and the message of a refusal.
 */
@Interceptor
class AuditInterceptor {

	private static final java.util.Set<String> AUDIT_RECORDS = java.util.Set.of("AuditEvent", "Provenance");

	/** The patient compartment's types but AuditEvent, as a {@code _type} value. */
	private static final String EVERYTHING_TYPES = everythingTypes(FhirContext.forR4Cached());

	/**
	 * A {@code $everything} that does not choose its types asks for all of the patient
	 * compartment but AuditEvent: every request about a patient adds one, so otherwise
	 * the server would read a patient's whole audit trail, growing with each look at the
	 * record, only to leave it out of the answer (below).
	 */
	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void askEverythingWithoutTheAuditTrail(RequestDetails request) {
		if (request != null && "$everything".equals(request.getOperation())
				&& !request.getParameters().containsKey("_type")) {
			request.addParameter("_type", new String[] { EVERYTHING_TYPES });
		}
	}

	static String everythingTypes(FhirContext fhir) {
		return fhir.getResourceTypes()
			.stream()
			.filter(type -> !"AuditEvent".equals(type))
			.filter(type -> !fhir.getResourceDefinition(type).getSearchParamsForCompartmentName("Patient").isEmpty())
			.sorted()
			.collect(Collectors.joining(","));
	}

	/**
	 * AuditEvents name the patient, which puts them in the patient compartment, but
	 * {@code $everything} is the patient's record, not who looked at it: they are left
	 * out (before authorization sees them), and found with {@code AuditEvent?patient=...}
	 * by those allowed to.
	 */
	@Hook(value = Pointcut.STORAGE_PRESHOW_RESOURCES, order = -100)
	public void leaveAuditTrailOutOfEverything(RequestDetails request, IPreResourceShowDetails shown) {
		if (request == null || !"$everything".equals(request.getOperation())) {
			return;
		}
		for (int i = 0; i < shown.size(); i++) {
			IBaseResource resource = shown.getResource(i);
			if (resource != null && "AuditEvent".equals(resource.fhirType())) {
				shown.setResource(i, null);
			}
		}
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void handling(RequestDetails request, RestOperationTypeEnum operation) {
		Exchange exchange = exchangeOf(request);
		if (exchange == null) {
			return;
		}
		if (operation == RestOperationTypeEnum.TRANSACTION && request.getResource() instanceof Bundle bundle
				&& bundle.getType() != null) {
			exchange.bundleType = bundle.getType().toCode();
		}
		if ("POST".equals(request.getRequestType().name()) && request.getParameters() != null
				&& !request.getParameters().isEmpty() && request.getCompleteUrl() != null
				&& request.getCompleteUrl().contains("_search")) {
			exchange.searchParameters = request.getParameters()
				.entrySet()
				.stream()
				.flatMap(e -> java.util.Arrays.stream(e.getValue()).map(v -> Map.entry(e.getKey(), v)))
				.map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
				.collect(Collectors.joining("&"));
		}
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource, RequestDetails request) {
		written(request, resource, true);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		written(request, resource, false);
	}

	/**
	 * A record of access or of origin must not keep a resource from being deleted:
	 * references from AuditEvent and Provenance are no conflict (storage keeps
	 * referential integrity for everything else).
	 */
	@Hook(Pointcut.STORAGE_PRESTORAGE_DELETE_CONFLICTS)
	public DeleteConflictOutcome deleteConflicts(DeleteConflictList conflicts) {
		conflicts.removeIf(c -> c.getSourceId() != null && AUDIT_RECORDS.contains(c.getSourceId().getResourceType()));
		return null;
	}

	/** After the error contract has sanitised it (order), so no internals are kept. */
	@Hook(value = Pointcut.SERVER_OUTGOING_FAILURE_OPERATIONOUTCOME, order = 1000)
	public void refused(RequestDetails request, IBaseOperationOutcome outcome) {
		Exchange exchange = exchangeOf(request);
		if (exchange != null && outcome instanceof OperationOutcome r4 && r4.hasIssue()) {
			exchange.failure = r4.getIssueFirstRep().getDiagnostics();
		}
	}

	@SuppressWarnings("unchecked")
	private static void written(RequestDetails request, IBaseResource resource, boolean created) {
		if (request == null) {
			return;
		}
		Set<Exchange.Write> writes = null;
		if (request.getUserData().get(AuditTrail.WRITES) instanceof Set<?> collecting) {
			writes = (Set<Exchange.Write>) collecting;
		}
		else {
			Exchange exchange = exchangeOf(request);
			writes = exchange == null ? null : exchange.writes;
		}
		if (writes == null) {
			return; // the server's own work: the audit writer, the case loader
		}
		IIdType id = resource.getIdElement();
		String version = id.hasVersionIdPart() ? id.getVersionIdPart() : resource.getMeta().getVersionId();
		String type = id.hasResourceType() ? id.getResourceType() : resource.fhirType();
		writes.add(new Exchange.Write(type + "/" + id.getIdPart() + (version == null ? "" : "/_history/" + version),
				created));
	}

	private static Exchange exchangeOf(RequestDetails request) {
		return request instanceof ServletRequestDetails servlet && servlet.getServletRequest() != null
				? Exchange.of(servlet.getServletRequest()) : null;
	}

	private static String encode(String text) {
		return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
	}

}
