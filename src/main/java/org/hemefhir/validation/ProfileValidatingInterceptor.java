package org.hemefhir.validation;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.util.List;
import java.util.Set;
import org.hemefhir.fhirserver.FhirServerCustomizer;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Validates every resource the server is about to store, however it arrives: a single
 * create or update, a transaction or batch entry, or the sample loader. Hooked on storage
 * rather than on the HTTP request so that each batch entry is judged on its own and
 * transaction references are already resolved.
 */
@Component
@Interceptor
class ProfileValidatingInterceptor implements FhirServerCustomizer {

	private static final Logger log = LoggerFactory.getLogger(ProfileValidatingInterceptor.class);

	/**
	 * Definitions the server installs itself from the IG package; they are not patient
	 * data.
	 */
	private static final Set<String> CONFORMANCE_TYPES = Set.of("StructureDefinition", "ValueSet", "CodeSystem",
			"SearchParameter", "ImplementationGuide", "NamingSystem", "ConceptMap");

	/**
	 * The audit trail and provenance the server records itself: validating them would
	 * slow the audit writer and could refuse a record of a refused request.
	 */
	private static final Set<String> SERVER_RECORDS = Set.of("AuditEvent", "Provenance");

	private static final String ENTRY_INDEX = "hemefhir.bundleEntryIndex";

	private final ProfileValidator validator;

	private final ValidationProperties.Mode mode;

	ProfileValidatingInterceptor(ProfileValidator validator, ValidationProperties properties) {
		this.validator = validator;
		this.mode = properties.mode();
	}

	@Override
	public void customize(RestfulServer server) {
		// also with validation off: a decimal the database cannot hold is refused in
		// every mode
		server.registerInterceptor(this);
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void beforeCreate(IBaseResource resource, RequestDetails request) {
		check(resource, request);
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void beforeUpdate(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		check(resource, request);
	}

	private void check(IBaseResource resource, RequestDetails request) {
		if (request instanceof SystemRequestDetails
				&& (CONFORMANCE_TYPES.contains(resource.fhirType()) || SERVER_RECORDS.contains(resource.fhirType()))) {
			return;
		}
		// With validation off only the decimals the database cannot hold are checked;
		// those are refused in every mode.
		List<SingleValidationMessage> errors = mode == ValidationProperties.Mode.OFF
				? validator.decimalsOutOfRange(resource)
				: validator.validate(resource)
					.getMessages()
					.stream()
					.filter(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
					.toList();
		if (errors.isEmpty()) {
			return;
		}
		String where = describe(resource, request);
		boolean storable = errors.stream()
			.noneMatch(m -> ProfileValidator.DECIMAL_OUT_OF_RANGE.equals(m.getMessageId()));
		if (mode == ValidationProperties.Mode.WARN && storable) {
			log.warn("{} stored despite {} validation error(s): {}", where, errors.size(), errors.get(0).getMessage());
			return;
		}
		OperationOutcome outcome = ProfileValidator
			.toOperationOutcome(new ValidationResult(validator.fhirContext(), errors));
		Integer index = entryIndex(resource, request);
		String type = resource.fhirType();
		String profile = validator.profileOf(resource).orElse(null);
		List<ProfileViolationException.Issue> issues = errors.stream()
			.map(m -> new ProfileViolationException.Issue(index, type, m.getLocationString(), profile, m.getMessage()))
			.toList();
		if (index != null) {
			outcome.getIssue().forEach(issue -> {
				issue.getExpression().forEach(e -> e.setValue(inEntry(index, type, e.getValue())));
				issue.getLocation().forEach(l -> l.setValue(inEntry(index, type, l.getValue())));
				issue.setDiagnostics(where + ": " + issue.getDiagnostics());
			});
		}
		throw new ProfileViolationException(validator.fhirContext(), outcome, issues);
	}

	private static String describe(IBaseResource resource, RequestDetails request) {
		Integer index = entryIndex(resource, request);
		return index != null ? "Bundle entry " + index + " (" + resource.fhirType() + ")" : resource.fhirType();
	}

	/**
	 * Rewrites "Observation.value" to "Bundle.entry[i].resource.value" so paths point
	 * into the request.
	 */
	static String inEntry(int index, String type, String path) {
		String rest = path.startsWith(type) ? path.substring(type.length()) : "." + path;
		return "Bundle.entry[" + index + "].resource" + rest;
	}

	/**
	 * Remembers each entry's position before HAPI processes the bundle, so an entry's
	 * errors can name it; batch entries are later processed one by one as
	 * sub-transactions, which must not overwrite the position in the client's bundle.
	 */
	@Hook(Pointcut.STORAGE_TRANSACTION_PROCESSING)
	public void numberEntries(IBaseBundle bundle) {
		if (bundle instanceof Bundle r4) {
			List<Bundle.BundleEntryComponent> entries = r4.getEntry();
			for (int i = 0; i < entries.size(); i++) {
				Resource entry = entries.get(i).getResource();
				if (entry != null && entry.getUserData(ENTRY_INDEX) == null) {
					entry.setUserData(ENTRY_INDEX, i);
				}
			}
		}
	}

	private static Integer entryIndex(IBaseResource resource, RequestDetails request) {
		return resource instanceof Resource r && r.getUserData(ENTRY_INDEX) instanceof Integer index ? index : null;
	}

}
