package org.hemefhir.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.hemefhir.TestTokens;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The built-in authorization server: clients registered with {@code client create} get
 * tokens through SMART Backend Services (client credentials, private_key_jwt) and use
 * them within their scopes; every bad client assertion is refused.
 */
class BuiltInAuthorizationServerIT {

	private static final String ISSUER = BuiltInServer.ISSUER;

	private static final String TOKEN_ENDPOINT = ISSUER + "/oauth2/token";

	private static int port;

	private static Path dir;

	/** The server shared with {@link ViewerSignInIT}: lab-feed and admin registered. */
	@BeforeAll
	static void start() {
		BuiltInServer server = BuiltInServer.get();
		dir = server.dir();
		port = server.port();
	}

	@Test
	void aClientGetsAShortLivedTokenForItsScopesAndUsesIt() throws Exception {
		Response token = requestToken(assertion("lab-feed", c -> c), "system/Observation.cu");
		assertThat(token.statusCode()).as(token.asString()).isEqualTo(200);
		assertThat(token.jsonPath().getString("token_type")).isEqualToIgnoringCase("bearer");
		assertThat(token.jsonPath().getInt("expires_in")).isBetween(1, 300);
		assertThat(token.jsonPath().getString("scope")).isEqualTo("system/Observation.cu");
		String labFeed = token.jsonPath().getString("access_token");

		String admin = accessToken("admin", Grants.ADMIN_SCOPE);
		String patient = fhir(admin).body("""
				{"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"%s"}],
				 "gender":"female","birthDate":"1964"}""".formatted(UUID.randomUUID()))
			.post("/Patient")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		Response created = fhir(labFeed)
			.body("""
					{"resourceType":"Observation","status":"final",
					 "code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},
					 "subject":{"reference":"Patient/%s"},"effectiveDateTime":"2025-01-10T08:00:00Z",
					 "valueQuantity":{"value":36.8,"unit":"Cel","system":"http://unitsofmeasure.org","code":"Cel"}}"""
				.formatted(patient))
			.post("/Observation");
		assertThat(created.statusCode()).as(created.asString()).isEqualTo(201);
		// a push client cannot read back what it may only write
		assertThat(fhir(labFeed).get("/Observation/" + created.path("id")).statusCode()).isEqualTo(403);
		assertThat(fhir(labFeed).get("/Patient/" + patient).statusCode()).isEqualTo(403);
	}

	@Test
	void aWiderRegisteredScopeCoversANarrowerRequest() throws Exception {
		Response token = requestToken(assertion("lab-feed", c -> c), "system/Patient.r system/Observation.c");
		assertThat(token.statusCode()).as(token.asString()).isEqualTo(200);
		assertThat(token.jsonPath().getString("scope").split(" ")).containsExactlyInAnyOrder("system/Patient.r",
				"system/Observation.c");
	}

	@Test
	void aClientRegisteredWhileTheServerRunsIsServedWithoutRestart() throws Exception {
		register("research-" + UUID.randomUUID().toString().substring(0, 8), "system/*.rs");
		String id = Files.readString(dir.resolve("last-client"));
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		Response token;
		do {
			Thread.sleep(200);
			token = requestToken(assertion(id, c -> c), "system/Observation.rs");
		}
		while (token.statusCode() != 200 && System.nanoTime() < deadline);
		assertThat(token.statusCode()).as(token.asString()).isEqualTo(200);
		String research = token.jsonPath().getString("access_token");
		assertThat(fhir(research).get("/Observation?_count=1").statusCode()).isEqualTo(200);
		assertThat(fhir(research).body("{\"resourceType\":\"Patient\"}").post("/Patient").statusCode()).isEqualTo(403);
	}

	@Test
	void aClientAssertionIsUsedOnlyOnce() throws Exception {
		String assertion = assertion("lab-feed", c -> c);
		assertThat(requestToken(assertion, "system/Observation.c").statusCode()).isEqualTo(200);
		Response replayed = requestToken(assertion, "system/Observation.c");
		assertThat(replayed.statusCode()).isEqualTo(401);
		assertThat(replayed.jsonPath().getString("error")).isEqualTo("invalid_client");
	}

	@Test
	void badClientAssertionsAreRefused() throws Exception {
		Instant now = Instant.now();
		assertInvalidClient(assertion("lab-feed", c -> c.audience("https://elsewhere.test/token")), "wrong audience");
		assertInvalidClient(assertion("lab-feed",
				c -> c.issueTime(Date.from(now.minusSeconds(900))).expirationTime(Date.from(now.minusSeconds(600)))),
				"expired");
		assertInvalidClient(assertion("lab-feed", c -> c.expirationTime(Date.from(now.plus(Duration.ofMinutes(30))))),
				"valid for 30 minutes");
		assertInvalidClient(assertion("lab-feed", c -> c.jwtID(null)), "no jti");
		assertInvalidClient(assertion("lab-feed", c -> c.subject("admin")), "sub another client");
		assertInvalidClient(signed(new ECKeyGenerator(Curve.P_384).keyID(keyOf("lab-feed").getKeyID()).generate(),
				JWSAlgorithm.ES384, claims("lab-feed").build()), "signed by another key");
		assertInvalidClient(
				signed(new ECKeyGenerator(Curve.P_256).generate(), JWSAlgorithm.ES256, claims("lab-feed").build()),
				"ES256");
		assertInvalidClient(assertion("nobody", c -> c), "unknown client");
		assertInvalidClient(assertion("lab-feed", c -> c).replace('.', '!'), "not a JWT");
	}

	@Test
	void onlyRegisteredScopesAreGranted() throws Exception {
		Response wider = requestToken(assertion("lab-feed", c -> c), "system/Observation.cruds");
		assertThat(wider.statusCode()).isEqualTo(400);
		assertThat(wider.jsonPath().getString("error")).isEqualTo("invalid_scope");
		Response admin = requestToken(assertion("lab-feed", c -> c), Grants.ADMIN_SCOPE);
		assertThat(admin.jsonPath().getString("error")).isEqualTo("invalid_scope");
		Response none = requestToken(assertion("lab-feed", c -> c), null);
		assertThat(none.jsonPath().getString("error")).isEqualTo("invalid_scope");
	}

	@Test
	void onlyTheServersOwnTokensAreAccepted() {
		// a well-formed token from another issuer (the one the other integration tests'
		// smart-mode server trusts), made here without starting that server
		String foreign = new TestTokens().token(Grants.ADMIN_SCOPE);
		assertThat(fhir(foreign).get("/Patient").statusCode()).isEqualTo(401);
	}

	@Test
	void clientsLearnWhereToGetTokens() {
		Response smart = given().port(port).basePath("/").get("/.well-known/smart-configuration");
		assertThat(smart.jsonPath().getString("token_endpoint")).isEqualTo(TOKEN_ENDPOINT);
		assertThat(smart.jsonPath().getString("jwks_uri")).isEqualTo(ISSUER + "/oauth2/jwks");
		Response keys = given().port(port).basePath("/").get("/oauth2/jwks");
		assertThat(keys.statusCode()).isEqualTo(200);
		assertThat(keys.jsonPath().getList("keys")).hasSize(1);
		assertThat(keys.jsonPath().getString("keys[0].d")).as("no private part").isNull();
		Response metadata = given().port(port).basePath("/fhir").accept("application/fhir+json").get("/metadata");
		assertThat(metadata.asString()).contains(TOKEN_ENDPOINT);
	}

	private static void assertInvalidClient(String assertion, String why) {
		Response response = requestToken(assertion, "system/Observation.c");
		assertThat(response.statusCode()).as(why + ": " + response.asString()).isEqualTo(401);
		assertThat(response.jsonPath().getString("error")).as(why).isEqualTo("invalid_client");
	}

	private static String accessToken(String client, String scope) throws Exception {
		Response token = requestToken(assertion(client, c -> c), scope);
		assertThat(token.statusCode()).as(token.asString()).isEqualTo(200);
		return token.jsonPath().getString("access_token");
	}

	/**
	 * SMART Backend Services token request: no client_id, the client is the assertion's
	 * iss.
	 */
	private static Response requestToken(String assertion, String scope) {
		RequestSpecification request = given().port(port)
			.basePath("/")
			.contentType("application/x-www-form-urlencoded")
			.formParam("grant_type", "client_credentials")
			.formParam("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
			.formParam("client_assertion", assertion);
		if (scope != null) {
			request.formParam("scope", scope);
		}
		return request.post("/oauth2/token");
	}

	private static String assertion(String client, UnaryOperator<JWTClaimsSet.Builder> change) throws Exception {
		ECKey key = Files.exists(privateKey(client)) ? keyOf(client)
				: new ECKeyGenerator(Curve.P_384).keyID("none").generate();
		return signed(key, JWSAlgorithm.ES384, change.apply(claims(client)).build());
	}

	private static JWTClaimsSet.Builder claims(String client) {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder().issuer(client)
			.subject(client)
			.audience(TOKEN_ENDPOINT)
			.jwtID(UUID.randomUUID().toString())
			.issueTime(Date.from(now))
			.expirationTime(Date.from(now.plusSeconds(240)));
	}

	private static String signed(ECKey key, JWSAlgorithm algorithm, JWTClaimsSet claims) throws JOSEException {
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).build(), claims);
		jwt.sign(new ECDSASigner(key));
		return jwt.serialize();
	}

	private static ECKey keyOf(String client) throws Exception {
		return ECKey.parse(Files.readString(privateKey(client)));
	}

	private static Path privateKey(String client) {
		return dir.resolve("keys").resolve(client + ".private-jwk.json");
	}

	/** As an operator does: {@code java -jar hemefhir.jar client create ...}. */
	private static void register(String client, String scopes) throws Exception {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int exit = ClientCommand.run(
				new String[] { "create", "--name", client, "--scopes", scopes, "--clients-file",
						dir.resolve("clients.json").toString(), "--out", dir.resolve("keys").toString() },
				new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
		assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
		Files.writeString(dir.resolve("last-client"), client);
	}

	private static RequestSpecification fhir(String token) {
		return given().port(port)
			.basePath("/fhir")
			.header("Authorization", "Bearer " + token)
			.contentType("application/fhir+json")
			.accept("application/fhir+json");
	}

}
