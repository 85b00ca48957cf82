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
 * @param issuer the {@code iss} tokens must carry (smart)
 * @param audience the {@code aud} tokens must contain, usually the FHIR base URL (smart)
 * @param jwksFile the issuer's public keys (JWKS) from a file, for offline use (smart;
 * this or jwk-set-uri)
 * @param jwkSetUri where the issuer publishes its public keys (smart; this or jwks-file)
 * @param tokenEndpoint the issuer's token endpoint, announced to clients in
 * /.well-known/smart-configuration and the CapabilityStatement
 * @param algorithms signature algorithms accepted on tokens; asymmetric only
 * ({@code none} and HMAC are refused at start)
 * @param clockSkew tolerance on {@code exp} and {@code nbf}
 */
@ConfigurationProperties(prefix = "hemefhir.security")
public record SecurityProperties(@DefaultValue("off") Mode mode, @DefaultValue("false") boolean allowAnonymous,
		String issuer, String audience, Path jwksFile, URI jwkSetUri, URI tokenEndpoint, @DefaultValue( {
				"RS256", "RS384", "ES256", "ES384" }) List<String> algorithms,
		@DefaultValue("30s") Duration clockSkew){

	public enum Mode {

		OFF, SMART

	}

	public boolean smart() {
		return mode == Mode.SMART;
	}

}
