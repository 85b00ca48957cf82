package org.hemefhir.ingest;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.util.FhirTerser;
import java.util.List;
import java.util.Set;
import org.hemefhir.fhirserver.FhirServerCustomizer;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

/**
 * Senders often know the patient only by a business identifier (an MRN), not by the
 * server's id: a patient reference that carries {@code identifier} but no
 * {@code reference} is resolved to the stored Patient with that identifier. An unknown
 * identifier is refused (422); the server never creates a placeholder patient.
 * Conditional references ({@code Patient?identifier=system|value}) are resolved by HAPI
 * itself.
 */
@Component
@Interceptor
class PatientIdentifierResolver implements FhirServerCustomizer {

	/** Elements that point at the patient in the resources HemeFHIR profiles. */
	private static final Set<String> PATIENT_ELEMENTS = Set.of("subject", "patient", "individual");

	private final FhirContext fhirContext;

	private final FhirTerser terser;

	private final DaoRegistry daoRegistry;

	PatientIdentifierResolver(FhirContext fhirContext, DaoRegistry daoRegistry) {
		this.fhirContext = fhirContext;
		this.terser = fhirContext.newTerser();
		this.daoRegistry = daoRegistry;
	}

	@Override
	public void customize(RestfulServer server) {
		server.registerInterceptor(this);
	}

	// Runs before profile validation (order 0), which then sees the resolved reference.
	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED, order = -100)
	public void beforeCreate(IBaseResource resource, RequestDetails request) {
		resolve(resource, request);
	}

	@Hook(value = Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED, order = -100)
	public void beforeUpdate(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		resolve(resource, request);
	}

	private void resolve(IBaseResource resource, RequestDetails request) {
		for (String element : PATIENT_ELEMENTS) {
			if (fhirContext.getResourceDefinition(resource).getChildByName(element) == null) {
				continue;
			}
			for (org.hl7.fhir.instance.model.api.IBase value : terser.getValues(resource,
					resource.fhirType() + "." + element)) {
				if (value instanceof Reference reference && !reference.hasReference() && reference.hasIdentifier()) {
					reference.setReference("Patient/"
							+ findPatient(reference.getIdentifier(), resource.fhirType() + "." + element, request));
				}
			}
		}
	}

	private String findPatient(Identifier identifier, String path, RequestDetails request) {
		if (!identifier.hasValue()) {
			throw new UnprocessableEntityException(path + ".identifier has no value: the patient cannot be identified");
		}
		IFhirResourceDao<?> patients = daoRegistry.getResourceDao("Patient");
		SearchParameterMap byIdentifier = SearchParameterMap.newSynchronous()
			.add("identifier", new TokenParam(identifier.getSystem(), identifier.getValue()));
		IBundleProvider found = patients.search(byIdentifier, request);
		List<IBaseResource> matches = found.getResources(0, 2);
		String described = (identifier.hasSystem() ? identifier.getSystem() + "|" : "") + identifier.getValue();
		if (matches.isEmpty()) {
			throw new UnprocessableEntityException(path + ".identifier " + described
					+ " matches no Patient on this server; create the Patient first (no placeholder is created)");
		}
		if (matches.size() > 1) {
			throw new PreconditionFailedException(path + ".identifier " + described + " matches more than one Patient");
		}
		return matches.get(0).getIdElement().getIdPart();
	}

}
