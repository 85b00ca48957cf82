package org.hemefhir.fhirserver;

import ca.uhn.fhir.rest.server.RestfulServer;

/**
 * A feature that adds interceptors or providers to the FHIR endpoint declares one of
 * these.
 */
@FunctionalInterface
public interface FhirServerCustomizer {

	void customize(RestfulServer server);

}
