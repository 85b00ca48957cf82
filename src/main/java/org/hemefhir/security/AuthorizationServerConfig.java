package org.hemefhir.security;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTParser;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.hemefhir.fhirserver.ServerProperties;
import org.hemefhir.fhirserver.SharedKeys;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtGenerator;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * The built-in authorization server (Spring Authorization Server): SMART Backend
 * Services' client-credentials grant with private_key_jwt client authentication at
 * {@value #TOKEN_PATH}, its public keys at {@value #JWKS_PATH}. Active in smart mode
 * unless an external identity provider's keys are configured. Access tokens are signed
 * JWTs that carry the granted scopes; none is stored, so nothing grows with the number
 * issued.
 */
@Configuration
class AuthorizationServerConfig {

	static final String TOKEN_PATH = "/oauth2/token";

	static final String JWKS_PATH = "/oauth2/jwks";

	private static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

	/** The server's signing key, its clients and the used client assertions. */
	record BuiltIn(RSAKey signingKey, ClientRegistry clients, ClientAssertionReplay replay) {

		JWKSource<SecurityContext> publicKeys() {
			return new ImmutableJWKSet<>(new JWKSet(signingKey.toPublicJWK()));
		}

	}

	/** smart mode without an external issuer's keys. */
	static final class BuiltInSelected implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return Binder.get(context.getEnvironment())
				.bind("hemefhir.security", SecurityProperties.class)
				.map(SecurityProperties::builtInAuthorizationServer)
				.orElse(false);
		}

	}

	@Bean
	@Conditional(BuiltInSelected.class)
	BuiltIn builtInAuthorizationServer(SecurityProperties properties, ServerProperties server, DataSource dataSource,
			SharedKeys keys) {
		if (properties.issuer() == null || properties.issuer().isBlank()) {
			throw new IllegalStateException(
					"hemefhir.security.mode=smart needs hemefhir.security.issuer: the server's public base URL (built-in authorization server) or an external issuer");
		}
		Path clientsFile = properties.clientsFile() != null ? properties.clientsFile()
				: server.dataDir().resolve("clients.json");
		RSAKey signingKey = properties.signingKeyFile() != null
				? TokenSigningKey.loadOrCreate(properties.signingKeyFile())
				: TokenSigningKey.shared(keys, server.dataDir());
		return new BuiltIn(signingKey, new ClientRegistry(properties, clientsFile),
				new ClientAssertionReplay(dataSource));
	}

	/** Before the resource server's chain: the token, JWKS and metadata endpoints. */
	@Bean
	@Order(1)
	@Conditional(BuiltInSelected.class)
	SecurityFilterChain authorizationServerChain(HttpSecurity http, BuiltIn builtIn, SecurityProperties properties)
			throws Exception {
		JWKSource<SecurityContext> keys = new ImmutableJWKSet<>(new JWKSet(builtIn.signingKey()));
		http.setSharedObject(JWKSource.class, keys);
		ClientAssertionDecoders decoders = new ClientAssertionDecoders(builtIn.clients(), builtIn.replay(),
				properties.clientAssertionLifetime(), properties.clockSkew());
		OAuth2AuthorizationServerConfigurer server = OAuth2AuthorizationServerConfigurer.authorizationServer();
		http.securityMatcher(server.getEndpointsMatcher())
			.with(server,
					configurer -> configurer.registeredClientRepository(builtIn.clients())
						.authorizationService(new NothingStored())
						.authorizationServerSettings(AuthorizationServerSettings.builder()
							.issuer(properties.issuer())
							.tokenEndpoint(TOKEN_PATH)
							.jwkSetEndpoint(JWKS_PATH)
							.build())
						.tokenGenerator(tokenGenerator(keys, properties))
						.clientAuthentication(client -> client
							.authenticationConverters(converters -> converters.add(0, assertionWithoutClientId()))
							.authenticationProviders(providers -> providers.forEach(provider -> {
								if (provider instanceof JwtClientAssertionAuthenticationProvider assertions) {
									assertions.setJwtDecoderFactory(decoders);
								}
							})))
						.tokenEndpoint(
								token -> token.authenticationProviders(providers -> providers.forEach(provider -> {
									if (provider instanceof OAuth2ClientCredentialsAuthenticationProvider credentials) {
										credentials.setAuthenticationValidator(
												AuthorizationServerConfig::grantOnlyRegisteredScopes);
									}
								}))))
			.authorizeHttpRequests(authorize -> authorize.anyRequest().authenticated())
			.sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.csrf(csrf -> csrf.disable());
		return http.build();
	}

	/**
	 * Access tokens: RS384-signed JWTs for the FHIR audience, with the granted scopes as
	 * one space-separated {@code scope} claim (as SMART and this server's resource side
	 * read it) and the client id.
	 */
	private static JwtGenerator tokenGenerator(JWKSource<SecurityContext> keys, SecurityProperties properties) {
		JwtGenerator generator = new JwtGenerator(new NimbusJwtEncoder(keys));
		generator.setJwtCustomizer(context -> {
			if (OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
				context.getJwsHeader().algorithm(SignatureAlgorithm.RS384);
				context.getClaims()
					.audience(List.of(properties.effectiveAudience()))
					.claim("scope", String.join(" ", context.getAuthorizedScopes()))
					.claim("client_id", context.getRegisteredClient().getClientId());
			}
		});
		return generator;
	}

	/**
	 * Every requested scope must be covered by one the client is registered with; SMART
	 * clients always ask for scopes.
	 */
	private static void grantOnlyRegisteredScopes(OAuth2ClientCredentialsAuthenticationContext context) {
		Set<String> requested = ((OAuth2ClientCredentialsAuthenticationToken) context.getAuthentication()).getScopes();
		if (requested.isEmpty()) {
			throw scopeError("Ask for the scopes the token needs (scope parameter)");
		}
		Set<String> registered = context.getRegisteredClient().getScopes();
		for (String scope : requested) {
			if (!ScopeRequests.covered(scope, registered)) {
				throw scopeError("Scope " + scope + " is not registered for this client");
			}
		}
	}

	private static OAuth2AuthenticationException scopeError(String description) {
		return new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_SCOPE, description, null));
	}

	/**
	 * SMART Backend Services clients send no client_id: it is the assertion's issuer,
	 * read here without trust; the assertion's signature and claims are checked by
	 * {@link ClientAssertionDecoders} for that client.
	 */
	private static AuthenticationConverter assertionWithoutClientId() {
		return (HttpServletRequest request) -> {
			String[] types = request.getParameterValues("client_assertion_type");
			String[] assertions = request.getParameterValues("client_assertion");
			if (!"POST".equals(request.getMethod()) || types == null || assertions == null
					|| request.getParameter("client_id") != null || !JWT_BEARER.equals(types[0])) {
				return null;
			}
			if (types.length != 1 || assertions.length != 1) {
				throw new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_REQUEST);
			}
			String clientId;
			try {
				clientId = JWTParser.parse(assertions[0]).getJWTClaimsSet().getIssuer();
			}
			catch (ParseException e) {
				clientId = null;
			}
			if (clientId == null || clientId.isBlank()) {
				throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT,
						"The client assertion is not a JWT with an iss claim", null));
			}
			// the method Spring's JWT client assertion provider answers to
			return new OAuth2ClientAuthenticationToken(clientId, new ClientAuthenticationMethod(JWT_BEARER),
					assertions[0], Map.of());
		};
	}

	/**
	 * Tokens are self-contained JWTs checked by signature; keeping every authorization
	 * would grow without bound (there is no introspection or revocation).
	 */
	private static final class NothingStored implements OAuth2AuthorizationService {

		@Override
		public void save(OAuth2Authorization authorization) {
		}

		@Override
		public void remove(OAuth2Authorization authorization) {
		}

		@Override
		public OAuth2Authorization findById(String id) {
			return null;
		}

		@Override
		public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
			return null;
		}

	}

}
