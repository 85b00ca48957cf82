package org.hemefhir;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/** An issuer for tests: its key pair, its JWKS file, and tokens good and bad. */
public final class TestTokens {

	public static final String ISSUER = "https://idp.test/realms/hemefhir";

	public static final String AUDIENCE = "https://hemefhir.test/fhir";

	private final RSAKey key;

	private final RSAKey stranger;

	public TestTokens() {
		try {
			key = new RSAKeyGenerator(2048).keyID("test-key").generate();
			stranger = new RSAKeyGenerator(2048).keyID("test-key").generate();
		}
		catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	/** The issuer's public keys, as a server configured offline reads them. */
	public Path writeJwks(Path dir) throws IOException {
		Path file = dir.resolve("jwks.json");
		Files.writeString(file, new JWKSet(key.toPublicJWK()).toString());
		return file;
	}

	public String token(String scope) {
		return sign(key, claims(scope).build());
	}

	public JWTClaimsSet.Builder claims(String scope) {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder().issuer(ISSUER)
			.audience(AUDIENCE)
			.subject("client-" + UUID.randomUUID())
			.claim("client_id", "test-client")
			.claim("scope", scope)
			.jwtID(UUID.randomUUID().toString())
			.issueTime(Date.from(now))
			.notBeforeTime(Date.from(now.minusSeconds(5)))
			.expirationTime(Date.from(now.plus(Duration.ofMinutes(5))));
	}

	public String signed(JWTClaimsSet claims) {
		return sign(key, claims);
	}

	/** Same key id, another key: a forged signature. */
	public String signedByStranger(String scope) {
		return sign(stranger, claims(scope).build());
	}

	public String unsigned(String scope) {
		return new PlainJWT(claims(scope).build()).serialize();
	}

	/** HMAC with the public key's bytes as secret: the classic algorithm confusion. */
	public String hmacWithPublicKey(String scope) {
		try {
			byte[] secret = key.toPublicJWK().toRSAPublicKey().getEncoded();
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(),
					claims(scope).build());
			jwt.sign(new MACSigner(secret));
			return jwt.serialize();
		}
		catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	private static String sign(RSAKey with, JWTClaimsSet claims) {
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS384).keyID(with.getKeyID()).build(),
					claims);
			jwt.sign(new RSASSASigner(with));
			return jwt.serialize();
		}
		catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

}
