package org.hemefhir.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.UriType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * How a client learns to get a token: {@code [base]/.well-known/smart-configuration} and
 * the CapabilityStatement's {@code rest.security}, both from the configured issuer. With
 * security off there is nothing to announce (404).
 */
class SmartConfiguration extends OncePerRequestFilter {

	static final List<String> PATHS = List.of("/fhir/.well-known/smart-configuration",
			"/.well-known/smart-configuration");

	private static final String OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

	private static final ObjectMapper JSON = new ObjectMapper();

	private final SecurityProperties properties;

	SmartConfiguration(SecurityProperties properties) {
		this.properties = properties;
	}

	Map<String, Object> document() {
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("issuer", properties.issuer());
		if (properties.builtInAuthorizationServer()) {
			document.put("jwks_uri", properties.issuerWithoutSlash() + AuthorizationServerConfig.JWKS_PATH);
		}
		else if (properties.jwkSetUri() != null) {
			document.put("jwks_uri", properties.jwkSetUri().toString());
		}
		URI authorize = properties.effectiveAuthorizationEndpoint();
		if (authorize != null) {
			document.put("authorization_endpoint", authorize.toString());
		}
		if (properties.effectiveTokenEndpoint() != null) {
			document.put("token_endpoint", properties.effectiveTokenEndpoint().toString());
		}
		// users sign in where the built-in server or an external one says it takes them
		boolean launch = authorize != null;
		document.put("grant_types_supported",
				launch ? List.of("client_credentials", "authorization_code") : List.of("client_credentials"));
		if (launch) {
			document.put("response_types_supported", List.of("code"));
			document.put("code_challenge_methods_supported", List.of("S256"));
		}
		// "none": the viewer is a public client; every other client uses private_key_jwt
		document.put("token_endpoint_auth_methods_supported", properties.builtInAuthorizationServer()
				? List.of("private_key_jwt", "none") : List.of("private_key_jwt"));
		document.put("token_endpoint_auth_signing_alg_values_supported", List.of("RS384", "ES384"));
		List<String> scopes = new ArrayList<>(List.of("system/*.rs", "system/*.cruds", "system/*.read",
				"system/*.write", "user/*.rs", "system/AuditEvent.rs", Grants.ADMIN_SCOPE, Grants.VALIDATE_SCOPE,
				Grants.DEIDENTIFIED_EXPORT_SCOPE));
		List<String> capabilities = new ArrayList<>(
				List.of("client-confidential-asymmetric", "permission-v1", "permission-v2"));
		if (launch) {
			scopes.addAll(List.of("patient/*.rs", ScopeRequests.OPENID, ScopeRequests.FHIR_USER,
					ScopeRequests.LAUNCH_PATIENT));
			capabilities.addAll(List.of("launch-standalone", "client-public", "context-standalone-patient",
					"permission-patient", "permission-user"));
		}
		document.put("scopes_supported", scopes);
		document.put("capabilities", capabilities);
		return document;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !PATHS.contains(request.getRequestURI());
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (!properties.smart()) {
			response.setStatus(404);
			response.setContentType("application/json");
			response.getWriter()
				.write("{\"error\":\"not_found\",\"error_description\":\"Security is off on this server (hemefhir.security.mode=off)\"}");
			return;
		}
		response.setContentType("application/json");
		JSON.writeValue(response.getOutputStream(), document());
	}

	/** rest.security of the CapabilityStatement. */
	@Interceptor
	static final class Capability {

		private final SecurityProperties properties;

		Capability(SecurityProperties properties) {
			this.properties = properties;
		}

		@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
		public void announce(IBaseConformance statement) {
			if (!(statement instanceof CapabilityStatement capability)) {
				return;
			}
			for (CapabilityStatement.CapabilityStatementRestComponent rest : capability.getRest()) {
				CapabilityStatement.CapabilityStatementRestSecurityComponent security = rest.getSecurity();
				security.setCors(true)
					.setDescription("SMART on FHIR: bearer tokens (JWT) from " + properties.issuer()
							+ "; scopes system/, user/, patient/ (v1 and v2), " + Grants.ADMIN_SCOPE + ", "
							+ Grants.VALIDATE_SCOPE);
				security.addService(
						new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/restful-security-service",
								"SMART-on-FHIR", "SMART-on-FHIR")));
				if (properties.effectiveTokenEndpoint() != null
						|| properties.effectiveAuthorizationEndpoint() != null) {
					Extension uris = security.addExtension().setUrl(OAUTH_URIS);
					if (properties.effectiveTokenEndpoint() != null) {
						uris.addExtension("token", new UriType(properties.effectiveTokenEndpoint().toString()));
					}
					if (properties.effectiveAuthorizationEndpoint() != null) {
						uris.addExtension("authorize",
								new UriType(properties.effectiveAuthorizationEndpoint().toString()));
					}
				}
			}
		}

	}

}
