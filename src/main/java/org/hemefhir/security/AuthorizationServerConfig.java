package org.hemefhir.security;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.JWTClaimsSet;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.PkceParameterNames;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AccessTokenAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationValidator;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtGenerator;
import org.springframework.security.oauth2.server.authorization.web.authentication.OAuth2AccessTokenResponseAuthenticationSuccessHandler;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationConverter;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.session.DisableEncodeUrlFilter;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * The built-in authorization server (Spring Authorization Server): SMART Backend
 * Services' client-credentials grant with private_key_jwt client authentication at
 * {@value #TOKEN_PATH}, its public keys at {@value #JWKS_PATH}; and SMART App Launch
 * (standalone) for the course viewer: users sign in at {@value LoginPage#PATH}, the
 * authorization endpoint {@value #AUTHORIZE_PATH} gives the viewer a code (PKCE S256) for
 * the scopes both asked for and allowed to the user, which it exchanges for a token.
 * Active in smart mode unless an external identity provider's keys are configured. Access
 * tokens are signed JWTs that carry the granted scopes; none is stored, so nothing grows
 * with the number issued. Sign-in sessions and unredeemed codes live in this node's
 * memory (bounded).
 */
@Configuration
class AuthorizationServerConfig {

	static final String TOKEN_PATH = "/oauth2/token";

	static final String JWKS_PATH = "/oauth2/jwks";

	static final String AUTHORIZE_PATH = "/oauth2/authorize";

	/** Codes waiting to be redeemed, at most: a few minutes of sign-ins on one node. */
	private static final int PENDING_AUTHORIZATIONS = 1000;

	/** Longer than any parameter of a sound request (a client assertion is ~1 KB). */
	private static final int MAX_PARAMETER_LENGTH = 8192;

	private static final int MAX_QUERY_LENGTH = 4096;

	/**
	 * Sign-in sessions open at once, at most (each a few KB), and their idle lifetime.
	 */
	private static final int SIGN_IN_SESSIONS = 5000;

	private static final Duration SIGN_IN_SESSION_IDLE = Duration.ofMinutes(10);

	static final String PATIENT_CLAIM = "patient";

	private static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

	/**
	 * The server's signing key, its clients, the used client assertions and the users who
	 * sign in.
	 */
	record BuiltIn(RSAKey signingKey, ClientRegistry clients, ClientAssertionReplay replay, UserDirectory users) {

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
				new ClientAssertionReplay(dataSource), new UserDirectory(properties.users()));
	}

	/**
	 * Counts the sessions (a servlet listener) and refuses new ones beyond the bound;
	 * only the authorization server's chain makes sessions.
	 */
	@Bean
	@Conditional(BuiltInSelected.class)
	SignInSessions signInSessions() {
		return new SignInSessions(SIGN_IN_SESSIONS, SIGN_IN_SESSION_IDLE);
	}

	/**
	 * Before the resource server's chain: the token, authorization, JWKS and metadata
	 * endpoints and the sign-in page. The only chain with sessions (the sign-in is
	 * remembered between the authorization request and the login form) and CSRF
	 * protection (the login form).
	 */
	@Bean
	@Order(1)
	@Conditional(BuiltInSelected.class)
	SecurityFilterChain authorizationServerChain(HttpSecurity http, BuiltIn builtIn, SecurityProperties properties,
			SignInSessions sessions) throws Exception {
		JWKSource<SecurityContext> keys = new ImmutableJWKSet<>(new JWKSet(builtIn.signingKey()));
		http.setSharedObject(JWKSource.class, keys);
		ClientAssertionDecoders decoders = new ClientAssertionDecoders(builtIn.clients(), builtIn.replay(),
				properties.clientAssertionLifetime(), properties.clockSkew());
		LoginPage loginPage = new LoginPage(LoginThrottle.standard(), "/viewer/");
		DaoAuthenticationProvider passwords = new DaoAuthenticationProvider(builtIn.users());
		passwords.setPasswordEncoder(builtIn.users().passwordEncoder());
		OAuth2AuthorizationServerConfigurer server = OAuth2AuthorizationServerConfigurer.authorizationServer();
		RequestMatcher endpoints = server.getEndpointsMatcher();
		RequestMatcher login = request -> LoginPage.PATH.equals(path(request));
		http.securityMatcher(new OrRequestMatcher(endpoints, login))
			.with(server,
					configurer -> configurer.registeredClientRepository(builtIn.clients())
						.authorizationService(new PendingAuthorizations(PENDING_AUTHORIZATIONS))
						.authorizationServerSettings(AuthorizationServerSettings.builder()
							.issuer(properties.issuer())
							.authorizationEndpoint(AUTHORIZE_PATH)
							.tokenEndpoint(TOKEN_PATH)
							.jwkSetEndpoint(JWKS_PATH)
							.build())
						.tokenGenerator(tokenGenerator(keys, properties, builtIn.users()))
						.clientAuthentication(client -> client
							.authenticationConverters(converters -> converters.add(0, assertionWithoutClientId()))
							.authenticationProviders(providers -> providers.forEach(provider -> {
								if (provider instanceof JwtClientAssertionAuthenticationProvider assertions) {
									assertions.setJwtDecoderFactory(decoders);
								}
							})))
						.authorizationEndpoint(authorize -> authorize.authenticationProviders(providers -> providers
							.replaceAll(provider -> userScopes(provider, builtIn.clients(), builtIn.users()))))
						.tokenEndpoint(
								token -> token.authenticationProviders(providers -> providers.forEach(provider -> {
									if (provider instanceof OAuth2ClientCredentialsAuthenticationProvider credentials) {
										credentials.setAuthenticationValidator(
												AuthorizationServerConfig::grantOnlyRegisteredScopes);
									}
								})).accessTokenResponseHandler(new TokenResponse())))
			.authenticationProvider(passwords)
			.authorizeHttpRequests(
					authorize -> authorize.requestMatchers(login).permitAll().anyRequest().authenticated())
			.formLogin(form -> form.loginPage(LoginPage.PATH)
				.loginProcessingUrl(LoginPage.PATH)
				.usernameParameter(LoginPage.USERNAME)
				.passwordParameter(LoginPage.PASSWORD)
				.successHandler(loginPage.successHandler())
				.failureHandler(loginPage.failureHandler()))
			.exceptionHandling(exceptions -> exceptions.defaultAuthenticationEntryPointFor(
					new LoginUrlAuthenticationEntryPoint(LoginPage.PATH),
					request -> AUTHORIZE_PATH.equals(path(request))))
			.sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED))
			.csrf(csrf -> csrf.ignoringRequestMatchers(endpoints))
			.addFilterBefore(loginPage, UsernamePasswordAuthenticationFilter.class)
			.addFilterBefore(AuthorizationServerConfig::refuseOversizedRequests, DisableEncodeUrlFilter.class)
			.addFilterAfter(sessions.refuseBeyondCapacity(), DisableEncodeUrlFilter.class);
		return http.build();
	}

	private static String path(HttpServletRequest request) {
		return request.getRequestURI().substring(request.getContextPath().length());
	}

	/**
	 * Authorization requests, sign-ins and token requests are small; a huge one is
	 * refused before it reaches a session or the pending authorizations.
	 */
	private static void refuseOversizedRequests(ServletRequest servletRequest, ServletResponse servletResponse,
			FilterChain chain) throws IOException, ServletException {
		HttpServletRequest request = (HttpServletRequest) servletRequest;
		HttpServletResponse response = (HttpServletResponse) servletResponse;
		boolean oversized = request.getQueryString() != null && request.getQueryString().length() > MAX_QUERY_LENGTH
				|| request.getContentLengthLong() > 4L * MAX_PARAMETER_LENGTH;
		if (!oversized) {
			for (String[] values : request.getParameterMap().values()) {
				for (String value : values) {
					oversized |= value.length() > MAX_PARAMETER_LENGTH;
				}
			}
		}
		if (oversized) {
			response.setStatus(400);
			response.setContentType("application/json");
			response.getWriter()
				.write("{\"error\":\"invalid_request\",\"error_description\":\"The request or one of its parameters is too long\"}");
			return;
		}
		chain.doFilter(request, response);
	}

	/**
	 * Wraps Spring's authorization code request provider: checks the requested scopes
	 * ({@link #viewerRequest}) and, once a user has signed in, narrows them to what the
	 * user may have.
	 */
	private static AuthenticationProvider userScopes(AuthenticationProvider provider, ClientRegistry clients,
			UserDirectory users) {
		if (!(provider instanceof OAuth2AuthorizationCodeRequestAuthenticationProvider codeRequests)) {
			return provider;
		}
		codeRequests.setAuthenticationValidator(
				OAuth2AuthorizationCodeRequestAuthenticationValidator.DEFAULT_REDIRECT_URI_VALIDATOR
					.andThen(AuthorizationServerConfig::viewerRequest));
		return new AuthenticationProvider() {
			@Override
			public Authentication authenticate(Authentication authentication) {
				OAuth2AuthorizationCodeRequestAuthenticationToken request = (OAuth2AuthorizationCodeRequestAuthenticationToken) authentication;
				RegisteredClient client = clients.findByClientId(request.getClientId());
				if (client != null
						&& !client.getAuthorizationGrantTypes().contains(AuthorizationGrantType.AUTHORIZATION_CODE)) {
					// Spring would send this error to the redirect URI asked for, which
					// such a client never registered: answered here instead
					throw refusedHere(OAuth2ErrorCodes.UNAUTHORIZED_CLIENT,
							"This client does not use the authorization code", request);
				}
				Authentication principal = (Authentication) request.getPrincipal();
				UserDirectory.SignedInUser user = signedIn(principal) ? users.find(principal.getName()) : null;
				OAuth2AuthorizationCodeRequestAuthenticationToken narrowed = request;
				if (user != null) {
					Set<String> granted = ScopeRequests.grantedToUser(request.getScopes(), user.scopes(),
							user.patient() != null);
					narrowed = new OAuth2AuthorizationCodeRequestAuthenticationToken(request.getAuthorizationUri(),
							request.getClientId(), principal, request.getRedirectUri(), request.getState(), granted,
							request.getAdditionalParameters());
				}
				// not signed in yet: Spring checks the request, then sends to /login
				try {
					return codeRequests.authenticate(narrowed);
				}
				catch (OAuth2AuthorizationCodeRequestAuthenticationException e) {
					throw e;
				}
				catch (OAuth2AuthenticationException e) {
					// the pending authorizations are full: Spring's error page expects
					// its own exception type
					throw refusedHere(e.getError().getErrorCode(), e.getError().getDescription(), request);
				}
			}

			@Override
			public boolean supports(Class<?> authentication) {
				return codeRequests.supports(authentication);
			}
		};
	}

	private static boolean signedIn(Authentication principal) {
		return principal != null && principal.isAuthenticated() && !(principal instanceof AnonymousAuthenticationToken);
	}

	/**
	 * After the redirect URI was checked (errors go back to it): PKCE with S256 only;
	 * every scope known and within the client's registration ({@code user/*.rs} covers
	 * {@code user/Observation.rs}); and at least one that opens data. Signed in, the
	 * scopes are already narrowed to the user's: none left is {@code access_denied}.
	 */
	private static void viewerRequest(OAuth2AuthorizationCodeRequestAuthenticationContext context) {
		OAuth2AuthorizationCodeRequestAuthenticationToken request = context.getAuthentication();
		RegisteredClient client = context.getRegisteredClient();
		if (!"S256".equals(request.getAdditionalParameters().get(PkceParameterNames.CODE_CHALLENGE_METHOD))) {
			throw authorizationError(OAuth2ErrorCodes.INVALID_REQUEST,
					"PKCE is required with code_challenge_method=S256", request, client);
		}
		for (String scope : request.getScopes()) {
			if (!ScopeRequests.known(scope) || !ScopeRequests.covered(scope, client.getScopes())) {
				throw authorizationError(OAuth2ErrorCodes.INVALID_SCOPE,
						"Scope " + scope + " is not one this client may ask for", request, client);
			}
		}
		if (request.getScopes().stream().noneMatch(ScopeRequests::grantsData)) {
			if (signedIn((Authentication) request.getPrincipal())) {
				throw authorizationError(OAuth2ErrorCodes.ACCESS_DENIED,
						"User " + ((Authentication) request.getPrincipal()).getName()
								+ " may have none of the requested scopes",
						request, client);
			}
			throw authorizationError(OAuth2ErrorCodes.INVALID_SCOPE,
					"Ask for a scope that opens data, such as user/*.rs or patient/*.rs", request, client);
		}
	}

	/** An error answered by the server itself (400), not sent to any redirect URI. */
	private static OAuth2AuthorizationCodeRequestAuthenticationException refusedHere(String code, String description,
			OAuth2AuthorizationCodeRequestAuthenticationToken request) {
		return new OAuth2AuthorizationCodeRequestAuthenticationException(new OAuth2Error(code, description, null),
				new OAuth2AuthorizationCodeRequestAuthenticationToken(request.getAuthorizationUri(),
						request.getClientId(), (Authentication) request.getPrincipal(), null, request.getState(),
						request.getScopes(), request.getAdditionalParameters()));
	}

	/** An error sent back to the (already checked) redirect URI, with the state. */
	private static OAuth2AuthorizationCodeRequestAuthenticationException authorizationError(String code,
			String description, OAuth2AuthorizationCodeRequestAuthenticationToken request, RegisteredClient client) {
		String redirectUri = request.getRedirectUri() != null && !request.getRedirectUri().isBlank()
				? request.getRedirectUri() : client.getRedirectUris().iterator().next();
		OAuth2AuthorizationCodeRequestAuthenticationToken answer = new OAuth2AuthorizationCodeRequestAuthenticationToken(
				request.getAuthorizationUri(), request.getClientId(), (Authentication) request.getPrincipal(),
				redirectUri, request.getState(), request.getScopes(), request.getAdditionalParameters());
		return new OAuth2AuthorizationCodeRequestAuthenticationException(new OAuth2Error(code, description, null),
				answer);
	}

	/**
	 * The token response as Spring writes it, plus SMART's {@code patient} when patient
	 * scopes were granted; the issued token's client and subject go to the audit trail.
	 */
	private static final class TokenResponse implements AuthenticationSuccessHandler {

		private final OAuth2AccessTokenResponseAuthenticationSuccessHandler spring = new OAuth2AccessTokenResponseAuthenticationSuccessHandler();

		TokenResponse() {
			spring.setAccessTokenResponseCustomizer(context -> {
				String patient = claims(context.getAuthentication()).map(c -> (String) c.getClaim(PATIENT_CLAIM))
					.orElse(null);
				if (patient != null
						&& context.getAuthentication() instanceof OAuth2AccessTokenAuthenticationToken issued) {
					// the builder's parameters are replaced, not added to: keep Spring's
					// (id_token)
					Map<String, Object> parameters = new LinkedHashMap<>(issued.getAdditionalParameters());
					parameters.put(PATIENT_CLAIM, patient);
					context.getAccessTokenResponse().additionalParameters(parameters);
				}
			});
		}

		@Override
		public void onAuthenticationSuccess(HttpServletRequest request, HttpServletResponse response,
				Authentication authentication) throws IOException, ServletException {
			claims(authentication).ifPresent(claims -> TokenIdentity.attach(request,
					new TokenIdentity((String) claims.getClaim("client_id"), claims.getSubject(), claims.getJWTID())));
			spring.onAuthenticationSuccess(request, response, authentication);
		}

		/** The claims of the access token just signed here. */
		private static Optional<JWTClaimsSet> claims(Authentication authentication) {
			if (authentication instanceof OAuth2AccessTokenAuthenticationToken issued) {
				try {
					return Optional.of(JWTParser.parse(issued.getAccessToken().getTokenValue()).getJWTClaimsSet());
				}
				catch (ParseException e) {
					return Optional.empty();
				}
			}
			return Optional.empty();
		}

	}

	/**
	 * Access tokens: RS384-signed JWTs for the FHIR audience, with the granted scopes as
	 * one space-separated {@code scope} claim (as SMART and this server's resource side
	 * read it) and the client id.
	 */
	private static JwtGenerator tokenGenerator(JWKSource<SecurityContext> keys, SecurityProperties properties,
			UserDirectory users) {
		JwtGenerator generator = new JwtGenerator(new NimbusJwtEncoder(keys));
		generator.setJwtCustomizer(context -> {
			boolean userToken = AuthorizationGrantType.AUTHORIZATION_CODE.equals(context.getAuthorizationGrantType());
			UserDirectory.SignedInUser user = userToken ? users.find(context.getPrincipal().getName()) : null;
			if (OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
				context.getJwsHeader().algorithm(SignatureAlgorithm.RS384);
				context.getClaims()
					.audience(List.of(properties.effectiveAudience()))
					.claim("scope", String.join(" ", context.getAuthorizedScopes()))
					.claim("client_id", context.getRegisteredClient().getClientId());
				// the compartment the patient/ scopes open (Grants reads it)
				if (user != null && user.patient() != null
						&& context.getAuthorizedScopes().stream().anyMatch(ScopeRequests::isPatientScope)) {
					context.getClaims().claim(PATIENT_CLAIM, user.patient());
				}
			}
			else if (user != null && OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue())) {
				// who signed in, for the page to show
				context.getClaims().claim("name", user.name());
				if (user.patient() != null && context.getAuthorizedScopes().contains(ScopeRequests.FHIR_USER)) {
					context.getClaims()
						.claim("fhirUser", properties.effectiveAudience() + "/Patient/" + user.patient());
				}
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

}
