package org.hemefhir.course;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.Map;
import org.hemefhir.fhirserver.FhirServerCustomizer;
import org.springframework.stereotype.Component;

/**
 * The FHIR spec gives {@code Patient/$everything} the parameters {@code _since},
 * {@code start} and {@code end}, and HAPI declares {@code _lastUpdated}; HAPI 8.8's
 * implementation applies none of them and answers with everything (measured:
 * {@code _lastUpdated=ge2999-01-01} still returns the whole case). A research client
 * syncing "what changed since" would silently get the whole record each time, so these
 * are refused, pointing at {@code $export?_since=}, which does filter. A {@code _count}
 * below 1 is refused too.
 */
@Component
@Interceptor
class EverythingParameterGuard implements FhirServerCustomizer {

	private static final String[] NOT_APPLIED = { "_since", "_lastUpdated", "start", "end" };

	@Override
	public void customize(RestfulServer server) {
		server.registerInterceptor(this);
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void check(RequestDetails request) {
		if (!"$everything".equals(request.getOperation())) {
			return;
		}
		Map<String, String[]> parameters = request.getParameters();
		for (String name : NOT_APPLIED) {
			if (parameters.containsKey(name)) {
				throw new InvalidRequestException(
						"$everything does not filter by " + name + " on this server (it would "
								+ "return everything); for what changed since a time use $export with _since, e.g. "
								+ "Patient/[id]/$export?_since=2024-04-01T00:00:00Z");
			}
		}
		String[] count = parameters.get("_count");
		if (count != null) {
			for (String value : count) {
				if (!value.trim().matches("\\d{1,9}") || Integer.parseInt(value.trim()) < 1) {
					throw new InvalidRequestException(
							"_count must be a whole number of at least 1, not '" + value + "'");
				}
			}
		}
	}

}
