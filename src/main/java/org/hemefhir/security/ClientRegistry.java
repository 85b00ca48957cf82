package org.hemefhir.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * The built-in authorization server's clients: those in configuration and those in the
 * clients file, which is read again when it changes (so {@code client create} needs no
 * restart). A file that no longer reads keeps the clients it had; at start it stops the
 * server.
 */
final class ClientRegistry implements RegisteredClientRepository {

	private static final Logger log = LoggerFactory.getLogger(ClientRegistry.class);

	private static final ObjectMapper JSON = new ObjectMapper();

	/**
	 * Long enough to come back from the sign-in page, short enough to be useless later.
	 */
	static final Duration AUTHORIZATION_CODE_LIFETIME = Duration.ofMinutes(2);

	/** How often the clients file's modification time is looked at. */
	private static final long RECHECK_NANOS = Duration.ofSeconds(1).toNanos();

	record Registered(RegisteredClient client, JWKSource<SecurityContext> keys) {
	}

	private final SecurityProperties properties;

	private final Path file;

	private volatile Map<String, Registered> clients;

	private volatile FileTime fileTime;

	private volatile long checkedAt;

	ClientRegistry(SecurityProperties properties, Path file) {
		this.properties = properties;
		this.file = file;
		this.fileTime = modified(file);
		this.clients = load();
		this.checkedAt = System.nanoTime();
		log.info(
				"Built-in authorization server: {} client(s) registered (the viewer {}, {} in configuration, the rest in {})",
				clients.size(), properties.viewer().clientId(), properties.clients().size(), file);
	}

	@Override
	public RegisteredClient findByClientId(String clientId) {
		Registered registered = current().get(clientId);
		return registered == null ? null : registered.client();
	}

	@Override
	public RegisteredClient findById(String id) {
		return findByClientId(id);
	}

	@Override
	public void save(RegisteredClient registeredClient) {
		throw new UnsupportedOperationException("Clients are registered in configuration or in " + file);
	}

	/** The client's public keys, or null for an unknown client. */
	JWKSource<SecurityContext> keys(String clientId) {
		Registered registered = current().get(clientId);
		return registered == null ? null : registered.keys();
	}

	int size() {
		return current().size();
	}

	private Map<String, Registered> current() {
		long now = System.nanoTime();
		if (now - checkedAt > RECHECK_NANOS) {
			synchronized (this) {
				if (now - checkedAt > RECHECK_NANOS) {
					checkedAt = now;
					FileTime seen = modified(file);
					if (seen != null && !seen.equals(fileTime) || seen == null && fileTime != null) {
						try {
							clients = load();
							fileTime = seen;
							log.info("Clients file {} read again: {} client(s)", file, clients.size());
						}
						catch (RuntimeException e) {
							// keep serving the clients we had; say why the file was not
							// taken
							log.error("Clients file {} changed but cannot be read; keeping the previous clients: {}",
									file, e.getMessage());
						}
					}
				}
			}
		}
		return clients;
	}

	private Map<String, Registered> load() {
		List<SecurityProperties.Client> all = new ArrayList<>(properties.clients());
		all.addAll(readFile(file));
		Map<String, Registered> loaded = new LinkedHashMap<>();
		RegisteredClient viewer = viewer(properties);
		loaded.put(viewer.getClientId(), new Registered(viewer, null));
		for (SecurityProperties.Client client : all) {
			Registered registered = register(client);
			if (loaded.putIfAbsent(client.id(), registered) != null) {
				throw new IllegalStateException("Client " + client.id() + " is registered twice");
			}
		}
		return Map.copyOf(loaded);
	}

	/**
	 * The course viewer at {@code <issuer>/viewer/}: a public client (a page holds no
	 * secret) that signs users in with the authorization code and PKCE S256, without a
	 * consent screen (the server's own page), for at most the viewer's scopes.
	 */
	static RegisteredClient viewer(SecurityProperties properties) {
		SecurityProperties.Viewer viewer = properties.viewer();
		RegisteredClient.Builder builder = RegisteredClient.withId(viewer.clientId())
			.clientId(viewer.clientId())
			.clientName("HemeFHIR course viewer")
			.clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
			.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
			.redirectUri(properties.issuerWithoutSlash() + "/viewer/")
			.clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build())
			.tokenSettings(TokenSettings.builder()
				.accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
				.accessTokenTimeToLive(properties.userTokenLifetime())
				.authorizationCodeTimeToLive(AUTHORIZATION_CODE_LIFETIME)
				.build());
		viewer.redirectUris().forEach(builder::redirectUri);
		for (String scope : SecurityProperties.Viewer.SCOPE.split(" ")) {
			builder.scope(scope);
		}
		return builder.build();
	}

	/** Reads a clients file; a missing file has no clients. */
	static List<SecurityProperties.Client> readFile(Path file) {
		if (file == null || !Files.exists(file)) {
			return List.of();
		}
		try {
			JsonNode root = JSON.readTree(file.toFile());
			List<SecurityProperties.Client> clients = new ArrayList<>();
			for (JsonNode node : root.path("clients")) {
				List<String> scopes = new ArrayList<>();
				node.path("scopes").forEach(scope -> scopes.add(scope.asText()));
				JsonNode jwks = node.get("jwks");
				clients.add(new SecurityProperties.Client(text(node, "id"), text(node, "name"), scopes,
						jwks == null || jwks.isNull() ? null : jwks.toString(),
						node.hasNonNull("jwksFile") ? Path.of(node.get("jwksFile").asText()) : null,
						node.hasNonNull("jwksUri") ? URI.create(node.get("jwksUri").asText()) : null));
			}
			return clients;
		}
		catch (IOException | IllegalArgumentException e) {
			throw new IllegalStateException("Clients file " + file + " cannot be read: " + e.getMessage(), e);
		}
	}

	private static String text(JsonNode node, String field) {
		return node.hasNonNull(field) ? node.get(field).asText() : null;
	}

	private Registered register(SecurityProperties.Client client) {
		String id = client.id();
		if (id == null || id.isBlank()) {
			throw new IllegalStateException("A client without an id is registered");
		}
		List<String> scopes = client.scopes() == null ? List.of() : client.scopes();
		for (String scope : scopes) {
			if (!ScopeRequests.known(scope)) {
				throw new IllegalStateException(
						"Client " + id + ": scope '" + scope + "' is not one this server grants");
			}
		}
		JWKSource<SecurityContext> keys;
		SignatureAlgorithm algorithm;
		int sources = (client.jwks() != null ? 1 : 0) + (client.jwksFile() != null ? 1 : 0)
				+ (client.jwksUri() != null ? 1 : 0);
		if (sources != 1) {
			throw new IllegalStateException("Client " + id + " needs exactly one of jwks, jwks-file or jwks-uri");
		}
		if (client.jwksUri() != null) {
			try {
				// the client publishes its keys: fetched with short timeouts, cached, and
				// fetched again when an assertion names a key id not seen yet
				keys = JWKSourceBuilder
					.create(client.jwksUri().toURL(), new DefaultResourceRetriever(5_000, 5_000, 256 * 1024))
					.build();
			}
			catch (IOException e) {
				throw new IllegalStateException("Client " + id + ": jwks-uri " + client.jwksUri() + " is not a URL", e);
			}
			algorithm = SignatureAlgorithm.RS384;
		}
		else {
			JWKSet set = publicKeys(id, client);
			keys = new ImmutableJWKSet<>(set);
			algorithm = set.getKeys().get(0) instanceof ECKey ? SignatureAlgorithm.ES384 : SignatureAlgorithm.RS384;
		}
		RegisteredClient.Builder builder = RegisteredClient.withId(id)
			.clientId(id)
			.clientName(client.name() == null ? id : client.name())
			.clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT)
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.clientSettings(ClientSettings.builder().tokenEndpointAuthenticationSigningAlgorithm(algorithm).build())
			.tokenSettings(TokenSettings.builder()
				.accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
				.accessTokenTimeToLive(properties.accessTokenLifetime())
				.build());
		scopes.forEach(builder::scope);
		return new Registered(builder.build(), keys);
	}

	/**
	 * The client's keys: RSA of at least 2048 bits or EC P-384 (SMART Backend Services
	 * asks for RS384 or ES384). Private parts are dropped.
	 */
	private static JWKSet publicKeys(String id, SecurityProperties.Client client) {
		JWKSet set;
		try {
			set = client.jwks() != null ? JWKSet.parse(client.jwks()) : JWKSet.load(client.jwksFile().toFile());
		}
		catch (ParseException | IOException e) {
			throw new IllegalStateException("Client " + id + ": its JWKS cannot be read: " + e.getMessage(), e);
		}
		List<JWK> usable = new ArrayList<>();
		for (JWK key : set.getKeys()) {
			if (key instanceof RSAKey rsa && rsa.size() >= 2048
					|| key instanceof ECKey ec && Curve.P_384.equals(ec.getCurve())) {
				if (key.isPrivate()) {
					log.warn("Client {}: its registration holds a private key; only the public part is used", id);
				}
				usable.add(key.toPublicJWK());
			}
		}
		if (usable.isEmpty()) {
			throw new IllegalStateException(
					"Client " + id + " has no usable key: an RSA key of 2048 bits or more, or an EC P-384 key");
		}
		return new JWKSet(usable);
	}

	private static FileTime modified(Path file) {
		try {
			return file != null && Files.exists(file) ? Files.getLastModifiedTime(file) : null;
		}
		catch (IOException e) {
			return null;
		}
	}

}
