package org.hemefhir.system;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.util.FhirContextSearchParamRegistry;
import ca.uhn.fhir.util.UrlUtil;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Search parameters as the server reads them: HAPI's query-string parsing, our
 * {@link SearchParameterGuard}, then HAPI's translation into typed search parameters (the
 * same reader the server uses for conditional-create and conditional-update criteria). A
 * finding is an exception the server would answer other than with a 4xx (see
 * {@link ErrorContractInterceptor#clientInputFailure}), or an input over the per-input
 * timeout.
 */
class SearchParameterFuzzTest {

	private static final FhirContext CONTEXT = FhirContext.forR4Cached();

	private static final FhirContextSearchParamRegistry REGISTRY = new FhirContextSearchParamRegistry(CONTEXT);

	private static final SearchParameterGuard GUARD = new SearchParameterGuard(REGISTRY, new LimitsProperties(
			Duration.ofSeconds(30), 16, Duration.ofSeconds(2), Duration.ofSeconds(5), 100, 100_000, 40, 10));

	private static final MatchUrlService MATCH_URLS = new MatchUrlService(CONTEXT, REGISTRY);

	private static final List<String> TYPES = List.of("Observation", "Patient", "Procedure", "MedicationAdministration",
			"AdverseEvent", "DiagnosticReport", "Location");

	private static final List<String> PREFER = List.of("", "handling=strict", "handling=lenient");

	@FuzzTest
	void searchQuery(FuzzedDataProvider data) {
		String type = data.pickValue(TYPES);
		String prefer = data.pickValue(PREFER);
		String query = data.consumeRemainingAsString();
		Map<String, String[]> parameters;
		try {
			parameters = UrlUtil.parseQueryString(query);
		}
		catch (IllegalArgumentException badPercentEncoding) {
			return; // in the server Tomcat decodes the query string and answers this 400
					// (FhirErrorReportValve)
		}
		try {
			SearchParameterGuard.Checked checked = GUARD.check(type, parameters, prefer, CONTEXT.getResourceTypes());
			MATCH_URLS.translateMatchUrl(type + "?" + encode(checked.applied()), CONTEXT.getResourceDefinition(type),
					MatchUrlService.processIncludes());
		}
		catch (BaseServerResponseException e) {
			if (e.getStatusCode() >= 500) {
				throw e;
			}
		}
		catch (DataFormatException answeredWith400) {
			// the server classifies these as 400
		}
		catch (RuntimeException e) {
			if (ErrorContractInterceptor.clientInputFailure(e).isEmpty()) {
				throw e;
			}
		}
	}

	private static String encode(Map<String, String[]> parameters) {
		return parameters.entrySet()
			.stream()
			.flatMap(e -> java.util.Arrays.stream(e.getValue())
				.map(v -> UrlUtil.escapeUrlParam(e.getKey()) + "=" + UrlUtil.escapeUrlParam(v)))
			.collect(Collectors.joining("&"));
	}

}
