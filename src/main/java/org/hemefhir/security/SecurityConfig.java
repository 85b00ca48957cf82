package org.hemefhir.security;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.searchparam.matcher.AuthorizationSearchParamMatcher;
import ca.uhn.fhir.jpa.searchparam.matcher.SearchParamMatcher;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.text.ParseException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.hemefhir.fhirserver.FhirServerCustomizer;
import org.hemefhir.system.OperationOutcomes;
import org.hemefhir.system.OutcomeResponses;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Spring Security in front of everything: in {@code off} mode it lets every request
 * through (the server then listens on the loopback address only, see
 * {@link LoopbackOnly}); in {@code smart} mode every request outside the public paths
 * needs a valid bearer token, and HAPI's authorization rules built from its scopes
 * ({@link ScopeAuthorization}) decide what it may do.
 */
@Configuration
@EnableWebSecurity
class SecurityConfig {

	/**
	 * Documentation, health and the viewer's page (it holds no data: it signs in and then
	 * reads with a token): no patient data.
	 */
	static final String[] PUBLIC_PATHS = { "/fhir/metadata", "/fhir/.well-known/**", "/.well-known/**", "/ig/**",
			"/viewer/**", "/", "/actuator/health", "/actuator/health/**", "/error" };

	private static final Set<String> SYMMETRIC_OR_NONE = Set.of("NONE", "HS256", "HS384", "HS512");

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http, SecurityProperties properties, FhirContext fhirContext)
			throws Exception {
		http.csrf(csrf -> csrf.disable())
			.sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache(cache -> cache.disable())
			.securityContext(context -> context.requireExplicitSave(true))
			.formLogin(form -> form.disable())
			.httpBasic(basic -> basic.disable())
			.logout(logout -> logout.disable())
			.anonymous(anonymous -> anonymous.disable());
		if (!properties.smart()) {
			// off: behaviour as without Spring Security (no headers changed, nothing
			// asked)
			http.headers(headers -> headers.disable()).authorizeHttpRequests(a -> a.anyRequest().permitAll());
			return http.build();
		}
		BearerTokenAuthenticationEntryPoint challenge = new BearerTokenAuthenticationEntryPoint();
		BearerTokenAccessDeniedHandler denied = new BearerTokenAccessDeniedHandler();
		http.authorizeHttpRequests(a -> a.requestMatchers(PUBLIC_PATHS)
			.permitAll()
			.requestMatchers("/hl7v2", "/hl7v2/**")
			.access((authentication, context) -> new org.springframework.security.authorization.AuthorizationDecision(
					Hl7v2Access.allowed(authentication.get())))
			.anyRequest()
			.authenticated()).oauth2ResourceServer(resourceServer -> resourceServer.jwt(jwt -> {
			}).authenticationEntryPoint((request, response, e) -> {
				challenge.commence(request, response, e);
				outcome(fhirContext, request, response, 401, IssueType.LOGIN,
						"A valid bearer token is needed (SMART on FHIR): " + reason(request, e));
			}).accessDeniedHandler((request, response, e) -> {
				denied.handle(request, response, e);
				outcome(fhirContext, request, response, 403, IssueType.FORBIDDEN,
						"The token's scopes do not allow this request");
			}));
		// the audit trail reads the token's identity after Spring Security has cleared
		// its context
		http.addFilterAfter(new TokenIdentity.CaptureFilter(), BearerTokenAuthenticationFilter.class);
		return http.build();
	}

	/**
	 * Why a token was refused, from the validators' error descriptions (never the token
	 * itself, which Spring's messages may quote).
	 */
	static String reason(HttpServletRequest request, AuthenticationException e) {
		String authorization = request.getHeader("Authorization");
		if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return "none was sent";
		}
		StringBuilder said = new StringBuilder();
		for (Throwable t = e; t != null && said.length() < 4000; t = t.getCause()) {
			if (t instanceof OAuth2AuthenticationException oauth && oauth.getError().getDescription() != null) {
				said.append(oauth.getError().getDescription()).append('\n');
			}
			if (t instanceof JwtValidationException invalid) {
				invalid.getErrors().forEach(error -> said.append(error.getDescription()).append('\n'));
			}
			said.append(t.getMessage()).append('\n');
		}
		String text = said.toString().toLowerCase(Locale.ROOT);
		if (text.contains("no exp claim")) {
			return "it has no expiry";
		}
		if (text.contains("expired")) {
			return "it has expired";
		}
		if (text.contains("used before")) {
			return "it is not valid yet";
		}
		if (text.contains("iss claim")) {
			return "it was issued by another issuer";
		}
		if (text.contains("aud claim")) {
			return "it is meant for another audience";
		}
		return "its signature, algorithm or format is not accepted";
	}

	private static void outcome(FhirContext fhirContext, HttpServletRequest request, HttpServletResponse response,
			int status, IssueType type, String message) throws IOException {
		OutcomeResponses.write(fhirContext, request, response, status, OperationOutcomes.error(type, message, null));
	}

	@Bean
	JwtDecoder jwtDecoder(SecurityProperties properties,
			ObjectProvider<AuthorizationServerConfig.BuiltIn> builtInAuthorizationServer)
			throws IOException, ParseException {
		if (!properties.smart()) {
			// never used: off mode asks for no token
			return token -> {
				throw new org.springframework.security.oauth2.jwt.BadJwtException("security is off");
			};
		}
		require(properties.issuer(), "hemefhir.security.issuer");
		require(properties.effectiveAudience(), "hemefhir.security.audience");
		Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
		for (String name : properties.algorithms()) {
			if (SYMMETRIC_OR_NONE.contains(name.toUpperCase(Locale.ROOT))) {
				throw new IllegalStateException("hemefhir.security.algorithms: " + name
						+ " is refused; tokens must be signed with a private key (RS256, RS384, ES256, ES384, ...)");
			}
			algorithms.add(JWSAlgorithm.parse(name));
		}
		NimbusJwtDecoder decoder;
		if (properties.builtInAuthorizationServer()) {
			decoder = decoder(algorithms, builtInAuthorizationServer.getObject().publicKeys());
		}
		else if (properties.jwksFile() != null) {
			JWKSet keys = JWKSet.load(properties.jwksFile().toFile()).toPublicJWKSet();
			decoder = decoder(algorithms, new ImmutableJWKSet<>(keys));
		}
		else if (properties.jwkSetUri() != null) {
			decoder = NimbusJwtDecoder.withJwkSetUri(properties.jwkSetUri().toString())
				.jwsAlgorithms(set -> algorithms.forEach(a -> set
					.add(org.springframework.security.oauth2.jose.jws.SignatureAlgorithm.from(a.getName()))))
				.build();
		}
		else {
			throw new IllegalStateException("no token issuer keys");
		}
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(new JwtTimestampValidator(properties.clockSkew()),
				new JwtIssuerValidator(properties.issuer()), audience(properties.effectiveAudience()),
				requireExpiry()));
		return decoder;
	}

	private static NimbusJwtDecoder decoder(Set<JWSAlgorithm> algorithms, JWKSource<SecurityContext> keys) {
		DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
		processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
		// claims are checked by the validators below, with the configured clock skew
		processor.setJWTClaimsSetVerifier((claims, context) -> {
		});
		return new NimbusJwtDecoder(processor);
	}

	private static OAuth2TokenValidator<Jwt> audience(String audience) {
		return jwt -> jwt.getAudience() != null && jwt.getAudience().contains(audience)
				? OAuth2TokenValidatorResult.success() : OAuth2TokenValidatorResult
					.failure(new OAuth2Error("invalid_token", "The aud claim is not this server", null));
	}

	/** Spring's timestamp validator accepts a token without exp; ours must expire. */
	private static OAuth2TokenValidator<Jwt> requireExpiry() {
		return jwt -> jwt.getClaims().containsKey(JwtClaimNames.EXP) ? OAuth2TokenValidatorResult.success()
				: OAuth2TokenValidatorResult
					.failure(new OAuth2Error("invalid_token", "The token carries no exp claim", null));
	}

	private static void require(String value, String key) {
		if (value == null || value.isBlank()) {
			throw new IllegalStateException("hemefhir.security.mode=smart needs " + key);
		}
	}

	@Bean
	SmartConfiguration smartConfiguration(SecurityProperties properties) {
		return new SmartConfiguration(properties);
	}

	@Bean
	FhirServerCustomizer scopeAuthorization(SecurityProperties properties, FhirContext fhirContext,
			SearchParamMatcher searchParamMatcher, IJobCoordinator jobs) {
		return server -> {
			if (properties.smart()) {
				server.registerInterceptor(
						new ScopeAuthorization(fhirContext, new AuthorizationSearchParamMatcher(searchParamMatcher)));
				server.registerInterceptor(new ExportAccess(jobs, fhirContext));
				server.registerInterceptor(new ImportAccess(jobs));
				server.registerInterceptor(new SmartConfiguration.Capability(properties));
			}
		};
	}

}
