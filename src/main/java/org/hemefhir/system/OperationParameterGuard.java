package org.hemefhir.system;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.method.BaseMethodBinding;
import ca.uhn.fhir.rest.server.method.IParameter;
import ca.uhn.fhir.rest.server.method.OperationMethodBinding;
import ca.uhn.fhir.rest.server.method.OperationParameter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.hemefhir.fhirserver.FhirServerCustomizer;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Parameters;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * An operation called with a parameter it does not define is refused (400, naming the
 * parameter and the ones that are accepted). HAPI ignores such parameters, so a misspelt
 * one ({@code $outcomes?ancThreshold=1.0}) would silently compute the answer on the
 * default: a result on a rule the caller did not ask for. The accepted names are read
 * from the operations' declarations, for HAPI's operations and ours alike, plus what a
 * feature adds by interceptor ({@link #accept}).
 */
@Component
@Interceptor
@Order(Ordered.LOWEST_PRECEDENCE)
public class OperationParameterGuard implements FhirServerCustomizer {

	/** Parameters every FHIR interaction takes: the format of the answer. */
	private static final Set<String> GENERAL = Set.of("_format", "_pretty", "_summary", "_elements",
			"_elements:exclude");

	private final FhirContext fhirContext;

	private final Map<String, Set<String>> extra = new ConcurrentHashMap<>();

	private volatile Map<String, Set<String>> declared;

	private RestfulServer server;

	OperationParameterGuard(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	@Override
	public void customize(RestfulServer server) {
		this.server = server;
		server.registerInterceptor(this);
	}

	/**
	 * Declares parameters of {@code operation} (e.g. "$export") that an interceptor
	 * reads.
	 */
	public void accept(String operation, String... names) {
		extra.computeIfAbsent(operation, o -> ConcurrentHashMap.newKeySet()).addAll(List.of(names));
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void check(RequestDetails request) {
		String operation = request.getOperation();
		if (operation == null || !operation.startsWith("$")) {
			return;
		}
		Set<String> accepted = accepted(operation);
		if (accepted == null) {
			return; // no such operation: HAPI answers that
		}
		List<String> names = new ArrayList<>(request.getParameters().keySet());
		if (request.getRequestType() == RequestTypeEnum.POST) {
			names.addAll(bodyParameterNames(request));
		}
		for (String name : names) {
			if (!accepted.contains(name) && !GENERAL.contains(name)) {
				throw new InvalidRequestException(
						operation + " has no parameter '" + name + "'; it accepts "
								+ (accepted.isEmpty() ? "none" : String.join(", ", new TreeSet<>(accepted))) + " (and "
								+ String.join(", ", new TreeSet<>(GENERAL)) + ")",
						OperationOutcomes.error(IssueType.NOTSUPPORTED,
								operation + " has no parameter '" + name + "'; it accepts "
										+ (accepted.isEmpty() ? "none" : String.join(", ", new TreeSet<>(accepted))),
								null));
			}
		}
	}

	/**
	 * Names declared by every operation of that name (at any level), or null if none is
	 * declared.
	 */
	private Set<String> accepted(String operation) {
		Map<String, Set<String>> byOperation = declared;
		if (byOperation == null) {
			byOperation = declared = declaredParameters();
		}
		Set<String> names = byOperation.get(operation);
		if (names == null) {
			return null;
		}
		Set<String> all = new TreeSet<>(names);
		all.addAll(extra.getOrDefault(operation, Set.of()));
		return all;
	}

	private Map<String, Set<String>> declaredParameters() {
		Map<String, Set<String>> found = new ConcurrentHashMap<>();
		List<BaseMethodBinding> bindings = new ArrayList<>(server.getServerBindings());
		server.getResourceBindings().forEach(r -> bindings.addAll(r.getMethodBindings()));
		for (BaseMethodBinding binding : bindings) {
			if (binding instanceof OperationMethodBinding op) {
				Set<String> names = found.computeIfAbsent(op.getName(), n -> new TreeSet<>());
				for (IParameter parameter : op.getParameters()) {
					if (parameter instanceof OperationParameter declaredParameter) {
						names.add(declaredParameter.getName());
					}
				}
			}
		}
		return found;
	}

	/**
	 * Parameter names of a Parameters body; nothing for any other body (HAPI judges
	 * those).
	 */
	private Collection<String> bodyParameterNames(RequestDetails request) {
		byte[] body = request.loadRequestContents();
		if (body == null || body.length == 0) {
			return List.of();
		}
		String text = new String(body, StandardCharsets.UTF_8);
		if (!text.contains("Parameters")) {
			return List.of();
		}
		try {
			String trimmed = text.stripLeading();
			IParser parser = trimmed.startsWith("<") ? fhirContext.newXmlParser() : fhirContext.newJsonParser();
			parser.setParserErrorHandler(new LenientErrorHandler(false));
			if (parser.parseResource(text) instanceof Parameters parameters) {
				return parameters.getParameter()
					.stream()
					.map(Parameters.ParametersParameterComponent::getName)
					.toList();
			}
		}
		catch (RuntimeException unreadable) {
			// HAPI reports the body when it reads it
		}
		return List.of();
	}

}
