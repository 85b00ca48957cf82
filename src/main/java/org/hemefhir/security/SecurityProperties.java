package org.hemefhir.security;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may use the server.
 *
 * @param mode {@code off}: no tokens, and the server listens on 127.0.0.1 only (a local
 * demo); {@code smart}: every request outside the public paths needs a SMART on FHIR
 * bearer token (JWT) whose scopes cover it
 * @param allowAnonymous lets {@code off} listen on other addresses than the loopback one;
 * anyone who reaches the server can then read, write and export everything
 * @param issuer the {@code iss} tokens must carry (smart); with the built-in
 * authorization server, the server's public base URL (e.g. https://fhir.example.org),
 * under which it serves /oauth2/token and /oauth2/jwks
 * @param audience the {@code aud} tokens must contain, usually the FHIR base URL (smart;
 * with the built-in authorization server <issuer>/fhir when not set)
 * @param jwksFile an external issuer's public keys (JWKS) from a file, for offline use
 * (smart; this or jwk-set-uri selects an external identity provider instead of the
 * built-in authorization server)
 * @param jwkSetUri where an external issuer publishes its public keys (smart; this or
 * jwks-file selects an external identity provider)
 * @param tokenEndpoint an external issuer's token endpoint, announced to clients in
 * /.well-known/smart-configuration and the CapabilityStatement
 * @param algorithms signature algorithms accepted on tokens; asymmetric only
 * ({@code none} and HMAC are refused at start)
 * @param clockSkew tolerance on {@code exp} and {@code nbf}
 * @param clients clients of the built-in authorization server, registered in
 * configuration (besides those in clients-file)
 * @param clientsFile clients of the built-in authorization server in a JSON file, as
 * {@code client create} writes it; re-read when it changes (default
 * <data-dir>/clients.json)
 * @param signingKeyFile the built-in authorization server's private signing key (JWK) in
 * a file, made on first start when missing; by default the key is made on first start and
 * kept in the database, where every node finds it
 * @param accessTokenLifetime how long an access token from the built-in authorization
 * server is valid
 * @param clientAssertionLifetime the longest a client's authentication JWT may be valid
 * (SMART Backend Services: at most five minutes)
 * @param users people who sign in to the built-in authorization server (SMART App Launch
 * for the viewer), each with the scopes they may be granted
 * @param viewer the course viewer's public client of the built-in authorization server
 * @param userTokenLifetime how long an access token issued to a signed-in user is valid
 * (a page should not ask for the password every few minutes)
 * @param authorizationEndpoint an external issuer's authorization endpoint (where users
 * sign in), announced to apps in /.well-known/smart-configuration and the
 * CapabilityStatement
 */
@ConfigurationProperties(prefix = "hemefhir.security")
public record SecurityProperties(@DefaultValue("off") Mode mode, @DefaultValue("false") boolean allowAnonymous,
		String issuer, String audience, Path jwksFile, URI jwkSetUri, URI tokenEndpoint, @DefaultValue( {
				"RS256", "RS384", "ES256", "ES384" }) List<String> algorithms,
		@DefaultValue("30s") Duration clockSkew, List<Client> clients, Path clientsFile, Path signingKeyFile,
		@DefaultValue("5m") Duration accessTokenLifetime, @DefaultValue("5m") Duration clientAssertionLifetime,
		List<User> users, @DefaultValue Viewer viewer, @DefaultValue("60m") Duration userTokenLifetime,
		URI authorizationEndpoint){

	public enum Mode {

		OFF, SMART

	}

	public SecurityProperties {
		clients = clients == null ? List.of() : List.copyOf(clients);
		users = users == null ? List.of() : List.copyOf(users);
		viewer = viewer == null ? new Viewer(Viewer.DEFAULT_CLIENT_ID, List.of()) : viewer;
		userTokenLifetime = userTokenLifetime == null ? Duration.ofMinutes(60) : userTokenLifetime;
	}

	public boolean smart() {
		return mode == Mode.SMART;
	}

	/**
	 * Tokens come from the built-in authorization server unless an external issuer's keys
	 * are configured.
	 */
	public boolean builtInAuthorizationServer() {
		return smart() && jwksFile == null && jwkSetUri == null;
	}

	/** The {@code aud} tokens must carry. */
	public String effectiveAudience() {
		if ((audience == null || audience.isBlank()) && builtInAuthorizationServer() && issuer != null) {
			return issuer.replaceAll("/+$", "") + "/fhir";
		}
		return audience;
	}

	/** Where clients get tokens: the built-in endpoint or the external issuer's. */
	public URI effectiveTokenEndpoint() {
		if (builtInAuthorizationServer() && issuer != null) {
			return URI.create(issuerWithoutSlash() + AuthorizationServerConfig.TOKEN_PATH);
		}
		return tokenEndpoint;
	}

	/** Where users sign in: the built-in endpoint or the external issuer's. */
	public URI effectiveAuthorizationEndpoint() {
		if (builtInAuthorizationServer() && issuer != null) {
			return URI.create(issuerWithoutSlash() + AuthorizationServerConfig.AUTHORIZE_PATH);
		}
		return authorizationEndpoint;
	}

	/** The issuer as a base URL to append paths to, or null. */
	public String issuerWithoutSlash() {
		return issuer == null ? null : issuer.replaceAll("/+$", "");
	}

	/**
	 * A client of the built-in authorization server: it proves who it is with a JWT
	 * signed by a key of its JWKS (private_key_jwt) and gets tokens for its scopes.
	 *
	 * @param id the client_id (also iss and sub of its assertions)
	 * @param name what people call it, shown in the audit trail
	 * @param scopes the scopes it may ask for (SMART v1/v2, hemefhir/admin,
	 * hemefhir/validate)
	 * @param jwks its public keys, inline JWKS JSON
	 * @param jwksFile its public keys from a JWKS file
	 * @param jwksUri where it publishes its public keys
	 */
	public record Client(String id, String name, List<String> scopes, String jwks, Path jwksFile, URI jwksUri) {
	}

	/**
	 * A person who signs in at /login (SMART App Launch, standalone).
	 *
	 * @param username what they type to sign in
	 * @param password the password hash in Spring's DelegatingPasswordEncoder format
	 * ({@code {bcrypt}$2a$10$...}; {@code {noop}plain} is accepted with a warning)
	 * @param name the name shown to people
	 * @param scopes the scopes they may be granted (SMART v1/v2 {@code user/} and
	 * {@code patient/} scopes, e.g. {@code user/*.rs} or {@code patient/*.rs})
	 * @param patient the Patient id whose compartment their {@code patient/} scopes open
	 * (required with such scopes)
	 */
	public record User(String username, String password, String name, List<String> scopes, String patient) {
	}

	/**
	 * The course viewer served at /viewer/, a public client (no secret; PKCE S256) of the
	 * built-in authorization server.
	 *
	 * @param clientId its client_id
	 * @param redirectUris where it may be sent back with the code, besides
	 * {@code <issuer>/viewer/}
	 */
	public record Viewer(@DefaultValue(DEFAULT_CLIENT_ID) String clientId, List<String> redirectUris) {

		static final String DEFAULT_CLIENT_ID = "hemefhir-viewer";

		/**
		 * What the viewer asks for: a user's data or one patient's, and who signed in.
		 */
		public static final String SCOPE = "openid fhirUser launch/patient user/*.rs patient/*.rs";

		public Viewer {
			clientId = clientId == null || clientId.isBlank() ? DEFAULT_CLIENT_ID : clientId;
			redirectUris = redirectUris == null ? List.of() : List.copyOf(redirectUris);
		}

	}

}
