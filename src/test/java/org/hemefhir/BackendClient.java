package org.hemefhir;

import static io.restassured.RestAssured.given;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import org.hemefhir.security.ClientCommand;

/**
 * A SMART Backend Services client of the built-in authorization server, registered as an
 * operator does ({@code client create}), that asks a node for tokens.
 */
public final class BackendClient {

	private final String id;

	private final ECKey key;

	private BackendClient(String id, ECKey key) {
		this.id = id;
		this.key = key;
	}

	/** Registers the client in the clients file; its private key goes beside it. */
	public static BackendClient register(Path clientsFile, String name, String scopes) throws IOException {
		Path keys = clientsFile.resolveSibling("keys");
		int exit = ClientCommand.main(new String[] { "create", "--name", name, "--scopes", scopes, "--clients-file",
				clientsFile.toString(), "--out", keys.toString() });
		if (exit != 0) {
			throw new IllegalStateException("client create exited with " + exit);
		}
		try {
			return new BackendClient(name, ECKey.parse(Files.readString(keys.resolve(name + ".private-jwk.json"))));
		}
		catch (ParseException e) {
			throw new IllegalStateException(e);
		}
	}

	/** An access token for the scopes from the node at the port, for that issuer. */
	public String token(int port, String issuer, String scopes) {
		Instant now = Instant.now();
		JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(id)
			.subject(id)
			.audience(issuer + "/oauth2/token")
			.jwtID(UUID.randomUUID().toString())
			.issueTime(Date.from(now))
			.expirationTime(Date.from(now.plusSeconds(240)))
			.build();
		SignedJWT assertion = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES384).keyID(key.getKeyID()).build(),
				claims);
		try {
			assertion.sign(new ECDSASigner(key));
		}
		catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
		Response response = given().basePath("")
			.port(port)
			.contentType("application/x-www-form-urlencoded")
			.formParam("grant_type", "client_credentials")
			.formParam("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
			.formParam("client_assertion", assertion.serialize())
			.formParam("scope", scopes)
			.post("/oauth2/token");
		if (response.statusCode() != 200) {
			throw new IllegalStateException("token request refused: " + response.asString());
		}
		return response.jsonPath().getString("access_token");
	}

}
