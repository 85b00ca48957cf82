package org.hemefhir.fhirserver;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.RestfulServer;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.SystemRestfulInteraction;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.hemefhir.validation.ProfileValidator;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.springframework.stereotype.Component;

/** Completes the generated CapabilityStatement with what HAPI does not declare by itself. */
@Component
@Interceptor
class CapabilityStatementInterceptor implements FhirServerCustomizer {

	private final Map<String, List<String>> profilesByType;

	CapabilityStatementInterceptor(ProfileValidator validator) {
		this.profilesByType = validator.igPackage().conformance().stream()
				.filter(StructureDefinition.class::isInstance)
				.map(StructureDefinition.class::cast)
				.filter(sd -> validator.profileUrls().contains(sd.getUrl()))
				.collect(Collectors.groupingBy(StructureDefinition::getType, TreeMap::new,
						Collectors.mapping(StructureDefinition::getUrl, Collectors.toList())));
	}

	@Override
	public void customize(RestfulServer server) {
		server.registerInterceptor(this);
	}

	@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
	public void complete(IBaseConformance generated) {
		CapabilityStatement statement = (CapabilityStatement) generated;
		statement.setPublisher("HemeFHIR");
		for (CapabilityStatementRestComponent rest : statement.getRest()) {
			// Batch bundles are processed by the same system endpoint as transactions.
			boolean hasBatch = rest.getInteraction().stream().anyMatch(i -> i.getCode() == SystemRestfulInteraction.BATCH);
			if (!hasBatch) {
				rest.addInteraction().setCode(SystemRestfulInteraction.BATCH);
			}
			for (CapabilityStatement.CapabilityStatementRestResourceComponent resource : rest.getResource()) {
				for (String profile : profilesByType.getOrDefault(resource.getType(), List.of())) {
					if (resource.getSupportedProfile().stream().noneMatch(p -> profile.equals(p.getValue()))) {
						resource.addSupportedProfile(profile);
					}
				}
			}
		}
	}
}
