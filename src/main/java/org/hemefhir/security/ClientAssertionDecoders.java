package org.hemefhir.security;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionDecoderFactory;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * Checks a client's authentication JWT (private_key_jwt): signed RS384 or ES384 by a key
 * of the client's registered JWKS; iss and sub the client id, aud this server's token
 * endpoint or issuer, exp present (Spring Authorization Server's checks); and beyond
 * those, as SMART Backend Services asks: a jti, used only once, and at most five minutes
 * of validity.
 */
final class ClientAssertionDecoders implements JwtDecoderFactory<RegisteredClient> {

	private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS384, JWSAlgorithm.ES384);

	private final ClientRegistry clients;

	private final ClientAssertionReplay replay;

	private final Duration maxLifetime;

	private final Duration clockSkew;

	ClientAssertionDecoders(ClientRegistry clients, ClientAssertionReplay replay, Duration maxLifetime,
			Duration clockSkew) {
		this.clients = clients;
		this.replay = replay;
		this.maxLifetime = maxLifetime;
		this.clockSkew = clockSkew;
	}

	@Override
	public JwtDecoder createDecoder(RegisteredClient client) {
		JWKSource<SecurityContext> keys = clients.keys(client.getClientId());
		DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
		processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
		// the claims are checked by the validator below
		processor.setJWTClaimsSetVerifier((claims, context) -> {
		});
		NimbusJwtDecoder decoder = new NimbusJwtDecoder(processor);
		OAuth2TokenValidator<Jwt> standard = JwtClientAssertionDecoderFactory.DEFAULT_JWT_VALIDATOR_FACTORY
			.apply(client);
		decoder.setJwtValidator(jwt -> {
			OAuth2TokenValidatorResult result = standard.validate(jwt);
			if (result.hasErrors()) {
				return result;
			}
			if (jwt.getId() == null || jwt.getId().isBlank()) {
				return invalid("The client assertion has no jti");
			}
			Instant latest = Instant.now().plus(maxLifetime).plus(clockSkew);
			if (jwt.getExpiresAt().isAfter(latest)) {
				return invalid("The client assertion is valid for more than " + maxLifetime.toMinutes() + " minutes");
			}
			// last, so that only assertions otherwise good are remembered
			if (!replay.firstUse(client.getClientId(), jwt.getId(), jwt.getExpiresAt())) {
				return invalid("The client assertion was used before (jti)");
			}
			return OAuth2TokenValidatorResult.success();
		});
		return decoder;
	}

	private static OAuth2TokenValidatorResult invalid(String description) {
		return OAuth2TokenValidatorResult.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT, description, null));
	}

}
