package org.hemefhir.ingest.hl7v2;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hemefhir.validation.IgTerminology;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Procedure;
import org.springframework.stereotype.Component;

/**
 * What the v2 mapping needs to know of stored data (patients, transplants, earlier
 * results), read through the JPA DAOs.
 */
@Component
class StoredData implements OruR01Mapper.Lookup {

	/**
	 * The transplant procedures, as the implementation guide lists them (ValueSet
	 * hsct-code).
	 */
	private static final List<Coding> HSCT_CODES = IgTerminology.installed().concepts(IgTerminology.HSCT_CODE);

	private final DaoRegistry daoRegistry;

	StoredData(DaoRegistry daoRegistry) {
		this.daoRegistry = daoRegistry;
	}

	@Override
	public Map<String, Date> issuedOf(String system, Collection<String> values) {
		Map<String, Date> issued = new HashMap<>();
		storedResults(system, values).forEach((value, o) -> {
			if (o.hasIssued()) {
				issued.put(value, o.getIssued());
			}
		});
		return issued;
	}

	@Override
	public Map<String, Observation> storedResults(String system, Collection<String> values) {
		if (values.isEmpty()) {
			return Map.of();
		}
		TokenOrListParam identifiers = new TokenOrListParam();
		values.forEach(value -> identifiers.addOr(new TokenParam(system, value)));
		SearchParameterMap map = SearchParameterMap.newSynchronous().add("identifier", identifiers);
		Map<String, Observation> stored = new HashMap<>();
		for (IBaseResource found : daoRegistry.getResourceDao("Observation")
			.search(map, new SystemRequestDetails())
			.getAllResources()) {
			Observation o = (Observation) found;
			o.getIdentifier()
				.stream()
				.filter(id -> system.equals(id.getSystem()))
				.forEach(id -> stored.put(id.getValue(), o));
		}
		return stored;
	}

	@Override
	public List<String> patientsWithIdentifier(String system, String value) {
		SearchParameterMap map = SearchParameterMap.newSynchronous("identifier", new TokenParam(system, value));
		map.setCount(2);
		IBundleProvider found = daoRegistry.getResourceDao("Patient").search(map, new SystemRequestDetails());
		return found.getResources(0, 2)
			.stream()
			.map(p -> p.getIdElement().toUnqualifiedVersionless().getValue())
			.toList();
	}

	@Override
	public Optional<String> transplantOf(String patientReference) {
		TokenOrListParam codes = new TokenOrListParam();
		HSCT_CODES.forEach(c -> codes.addOr(new TokenParam(c.getSystem(), c.getCode())));
		SearchParameterMap map = SearchParameterMap.newSynchronous()
			.add("subject", new ReferenceParam(patientReference))
			.add("code", codes);
		List<IBaseResource> found = daoRegistry.getResourceDao("Procedure")
			.search(map, new SystemRequestDetails())
			.getAllResources();
		// The latest transplant is the one a chimerism result follows.
		return found.stream()
			.map(Procedure.class::cast)
			.max(Comparator.comparing(p -> p.hasPerformedDateTimeType() ? p.getPerformedDateTimeType().getValue()
					: p.hasPerformedPeriod() && p.getPerformedPeriod().hasStart() ? p.getPerformedPeriod().getStart()
							: new java.util.Date(0)))
			.map(p -> p.getIdElement().toUnqualifiedVersionless().getValue());
	}

}
