package org.hemefhir.system;

import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.rest.server.method.SearchMethodBinding;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry.SearchParamLookupContextEnum;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.hemefhir.fhirserver.FhirServerCustomizer;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.springframework.stereotype.Component;

/**
 * What a search may ask before it reaches the database:
 * <ul>
 * <li>unknown search parameters are ignored ({@code Prefer: handling=lenient}, the
 * default the FHIR specification gives; the self link then shows only what was applied
 * and an outcome entry names what was not) or refused with 400
 * ({@code Prefer: handling=strict});
 * <li>at most {@code hemefhir.limits.max-search-parameters} parameters and
 * {@code hemefhir.limits.max-includes} {@code _include}/{@code _revinclude};
 * <li>numbers in number and quantity parameters within {@link DecimalBounds}.
 * </ul>
 */
@Component
@Interceptor
class SearchParameterGuard implements FhirServerCustomizer {

	private static final String IGNORED = "hemefhir.ignoredSearchParameters";

	private static final List<String> PREFIXES = List.of("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap");

	private final ISearchParamRegistry registry;

	private final LimitsProperties limits;

	SearchParameterGuard(ISearchParamRegistry registry, LimitsProperties limits) {
		this.registry = registry;
		this.limits = limits;
	}

	@Override
	public void customize(RestfulServer server) {
		server.registerInterceptor(this);
	}

	/**
	 * The parameters a search is run with ({@code changed}: other than asked for), and
	 * those it ignores.
	 */
	record Checked(Map<String, String[]> applied, boolean changed, List<String> ignored) {
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLER_SELECTED)
	public void check(RequestDetails request) {
		if (!SearchMethodBinding.isPlainSearchRequest(request) || request.getResourceName() == null
				|| !request.getFhirContext().getResourceTypes().contains(request.getResourceName())) {
			return;
		}
		Checked checked = check(request.getResourceName(), request.getParameters(),
				request.getHeader(Constants.HEADER_PREFER), request.getFhirContext().getResourceTypes());
		if (checked.changed()) {
			// a mutable copy: HAPI removes parameters from it when it answers an error
			request.setParameters(checked.applied());
		}
		if (!checked.ignored().isEmpty()) {
			request.getUserData().put(IGNORED, checked.ignored());
		}
	}

	/** Checks a search of {@code type}; throws the 4xx for what is refused. */
	Checked check(String type, Map<String, String[]> parameters, String prefer, Set<String> resourceTypes) {
		int count = parameters.values().stream().mapToInt(values -> values.length).sum();
		if (count > limits.maxSearchParameters()) {
			throw tooCostly("The search has " + count + " parameters; at most " + limits.maxSearchParameters()
					+ " are accepted (hemefhir.limits.max-search-parameters)");
		}
		int includes = values(parameters, Constants.PARAM_INCLUDE) + values(parameters, Constants.PARAM_REVINCLUDE);
		if (includes > limits.maxIncludes()) {
			throw tooCostly("The search has " + includes + " _include and _revinclude parameters; at most "
					+ limits.maxIncludes() + " are accepted (hemefhir.limits.max-includes)");
		}
		boolean strict = strict(prefer);
		Map<String, String[]> applied = null;
		List<String> ignored = new ArrayList<>();
		for (Map.Entry<String, String[]> parameter : parameters.entrySet()) {
			String name = parameter.getKey();
			String[] distinct = Arrays.stream(parameter.getValue()).distinct().toArray(String[]::new);
			if (distinct.length < parameter.getValue().length) {
				// the same condition twice means it once; HAPI would run it twice
				applied = applied == null ? new HashMap<>(parameters) : applied;
				applied.put(name, distinct);
			}
			if (name.startsWith("_")) {
				continue;
			}
			String base = base(name);
			RuntimeSearchParam known = registry.getActiveSearchParam(type, base, SearchParamLookupContextEnum.SEARCH);
			if (known == null) {
				if (strict) {
					throw new InvalidRequestException(
							"Unknown search parameter '" + base + "' for " + type + " (Prefer: "
									+ "handling=strict); its search parameters are: " + String.join(", ", names(type)));
				}
				applied = applied == null ? new HashMap<>(parameters) : applied;
				applied.remove(name);
				ignored.add(name);
				continue;
			}
			checkNumbers(name, type, known, parameter.getValue(), resourceTypes);
		}
		return new Checked(applied == null ? parameters : applied, applied != null, ignored);
	}

	/** Lenient searches say in the answer which parameters were not applied. */
	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public void reportIgnored(RequestDetails request, IBaseResource response) {
		if (response instanceof Bundle bundle && bundle.getType() == Bundle.BundleType.SEARCHSET
				&& request.getUserData().get(IGNORED) instanceof List<?> ignored && !ignored.isEmpty()) {
			OperationOutcome outcome = new OperationOutcome();
			for (Object name : ignored) {
				outcome.addIssue()
					.setSeverity(OperationOutcome.IssueSeverity.WARNING)
					.setCode(IssueType.NOTSUPPORTED)
					.setDiagnostics("Unknown search parameter '" + name + "' for " + request.getResourceName()
							+ " was ignored (send Prefer: handling=strict to have it refused)");
			}
			bundle.addEntry().setResource(outcome).getSearch().setMode(Bundle.SearchEntryMode.OUTCOME);
		}
	}

	private void checkNumbers(String name, String type, RuntimeSearchParam known, String[] values, Set<String> types) {
		RuntimeSearchParam target = known;
		int dot = name.indexOf('.');
		if (dot > 0) {
			// a chain: the number belongs to the last parameter, on whichever type it
			// names
			target = anyType(types, name.substring(name.lastIndexOf('.') + 1).replaceAll(":.*", "")).orElse(null);
		}
		if (target == null) {
			return;
		}
		RestSearchParameterTypeEnum kind = target.getParamType();
		if (kind != RestSearchParameterTypeEnum.NUMBER && kind != RestSearchParameterTypeEnum.QUANTITY
				&& kind != RestSearchParameterTypeEnum.COMPOSITE && kind != RestSearchParameterTypeEnum.SPECIAL) {
			return;
		}
		for (String value : values) {
			for (String or : value.split(",")) {
				for (String part : or.split("[$|]")) {
					String number = withoutPrefix(part.trim());
					Optional<String> problem = DecimalBounds.problem(number);
					if (problem.isPresent()) {
						throw new UnprocessableEntityException(
								problem.get() + " (search parameter " + name + " of " + type + ")");
					}
				}
			}
		}
	}

	/**
	 * The parameter of that name on any resource type that is a number or quantity, else
	 * any of that name.
	 */
	private Optional<RuntimeSearchParam> anyType(Set<String> types, String name) {
		RuntimeSearchParam any = null;
		for (String t : types) {
			RuntimeSearchParam p = registry.getActiveSearchParam(t, name, SearchParamLookupContextEnum.SEARCH);
			if (p != null && (p.getParamType() == RestSearchParameterTypeEnum.NUMBER
					|| p.getParamType() == RestSearchParameterTypeEnum.QUANTITY)) {
				return Optional.of(p);
			}
			any = any == null ? p : any;
		}
		return Optional.ofNullable(any);
	}

	private static String withoutPrefix(String value) {
		if (value.length() > 2 && PREFIXES.contains(value.substring(0, 2).toLowerCase(Locale.ROOT))
				&& (Character.isDigit(value.charAt(2)) || value.charAt(2) == '-' || value.charAt(2) == '+'
						|| value.charAt(2) == '.')) {
			return value.substring(2);
		}
		return value;
	}

	private List<String> names(String type) {
		return new ArrayList<>(new TreeSet<>(
				registry.getActiveSearchParams(type, SearchParamLookupContextEnum.SEARCH).getSearchParamNames()));
	}

	/** "subject:Patient.name" -> "subject"; "code:text" -> "code". */
	private static String base(String name) {
		for (int i = 0; i < name.length(); i++) {
			if (name.charAt(i) == ':' || name.charAt(i) == '.') {
				return name.substring(0, i);
			}
		}
		return name;
	}

	static boolean strict(String prefer) {
		if (prefer == null) {
			return false;
		}
		for (String token : prefer.split("[,;]")) {
			String t = token.trim().toLowerCase(Locale.ROOT).replace(" ", "");
			if (t.equals("handling=strict") || t.equals("handling=\"strict\"")) {
				return true;
			}
		}
		return false;
	}

	private static int values(Map<String, String[]> parameters, String prefix) {
		int n = 0;
		for (Map.Entry<String, String[]> e : parameters.entrySet()) {
			if (e.getKey().equals(prefix) || e.getKey().startsWith(prefix + ":")) {
				n += e.getValue().length;
			}
		}
		return n;
	}

	private static InvalidRequestException tooCostly(String message) {
		return new InvalidRequestException(message, OperationOutcomes.error(IssueType.TOOCOSTLY, message, null));
	}

}
