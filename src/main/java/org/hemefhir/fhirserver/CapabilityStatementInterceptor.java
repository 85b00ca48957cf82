package org.hemefhir.fhirserver;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.RestfulServer;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.SystemRestfulInteraction;
import org.springframework.stereotype.Component;

/**
 * Completes the generated CapabilityStatement with what HAPI does not declare by itself.
 * (The profiles of the installed IG appear as {@code supportedProfile} through HAPI's own
 * JPA provider, which lists every stored StructureDefinition.)
 */
@Component
@Interceptor
class CapabilityStatementInterceptor implements FhirServerCustomizer {

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
			boolean hasBatch = rest.getInteraction()
				.stream()
				.anyMatch(i -> i.getCode() == SystemRestfulInteraction.BATCH);
			if (!hasBatch) {
				rest.addInteraction().setCode(SystemRestfulInteraction.BATCH);
			}
		}
	}

}
