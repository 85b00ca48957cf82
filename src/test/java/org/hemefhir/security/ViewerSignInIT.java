package org.hemefhir.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import io.restassured.config.RedirectConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SMART App Launch (standalone) for the course viewer, driven over HTTP as its page and a
 * browser would: the authorization request with PKCE sends to the sign-in page, the
 * signed-in user comes back with a code for the scopes both asked for and allowed to
 * them, the code becomes a token once, and the token reads what its scopes say.
 */
class ViewerSignInIT {

	private static final String VIEWER = "hemefhir-viewer";

	private static final String REDIRECT = BuiltInServer.ISSUER + "/viewer/";

	private static final String SCOPE = "openid fhirUser launch/patient user/*.rs patient/*.rs";

	private static final String OTHER_PATIENT = "viewer-other";

	private static final RestAssuredConfig NO_REDIRECTS = RestAssuredConfig.config()
		.redirect(RedirectConfig.redirectConfig().followRedirects(false));

	private static BuiltInServer server;

	private static String aliceObservation;

	private static String otherObservation;

	@BeforeAll
	static void twoPatientsWithAnObservationEach() {
		server = BuiltInServer.get();
		String admin = server.adminToken();
		for (String patient : List.of(BuiltInServer.ALICE_PATIENT, OTHER_PATIENT)) {
			fhir(admin).body("""
					{"resourceType":"Patient","id":"%s","identifier":[{"system":"urn:test:mrn","value":"%s"}],
					 "gender":"female","birthDate":"1964"}""".formatted(patient, UUID.randomUUID()))
				.put("/Patient/" + patient)
				.then()
				.statusCode(org.hamcrest.Matchers.oneOf(200, 201));
		}
		aliceObservation = observation(admin, BuiltInServer.ALICE_PATIENT);
		otherObservation = observation(admin, OTHER_PATIENT);
	}

	@Test
	void aPatientSignsInAndReadsHerOwnRecordOnly() throws Exception {
		Pkce pkce = Pkce.make();
		String state = UUID.randomUUID().toString();
		URI back = signIn("alice", BuiltInServer.ALICE_PASSWORD, authorizeParameters(SCOPE, pkce, state));
		assertThat(back.toString()).startsWith(REDIRECT);
		Map<String, String> answer = query(back);
		assertThat(answer).containsEntry("state", state).containsKey("code").doesNotContainKey("error");

		Response token = redeem(answer.get("code"), pkce.verifier());
		assertThat(token.statusCode()).as(token.asString()).isEqualTo(200);
		assertThat(token.jsonPath().getString("scope").split(" ")).contains("patient/*.rs", "launch/patient")
			.doesNotContain("user/*.rs");
		assertThat(token.jsonPath().getString("patient")).isEqualTo(BuiltInServer.ALICE_PATIENT);
		assertThat(token.jsonPath().getInt("expires_in")).isBetween(3000, 3600);
		assertThat(token.jsonPath().getString("refresh_token")).isNull();
		JWTClaimsSet idToken = JWTParser.parse(token.jsonPath().getString("id_token")).getJWTClaimsSet();
		assertThat(idToken.getSubject()).isEqualTo("alice");
		assertThat(idToken.getAudience()).containsExactly(VIEWER);
		assertThat(idToken.getStringClaim("name")).isEqualTo("Alice Example");
		assertThat(idToken.getStringClaim("fhirUser"))
			.isEqualTo(BuiltInServer.ISSUER + "/fhir/Patient/" + BuiltInServer.ALICE_PATIENT);
		String accessToken = token.jsonPath().getString("access_token");
		JWTClaimsSet claims = JWTParser.parse(accessToken).getJWTClaimsSet();
		assertThat(claims.getSubject()).isEqualTo("alice");
		assertThat(claims.getStringClaim("client_id")).isEqualTo(VIEWER);
		assertThat(claims.getStringClaim("patient")).isEqualTo(BuiltInServer.ALICE_PATIENT);
		assertThat(claims.getAudience()).containsExactly(BuiltInServer.ISSUER + "/fhir");
		assertThat(JWTParser.parse(accessToken).getHeader().getAlgorithm().getName()).isEqualTo("RS384");

		assertThat(fhir(accessToken).get("/Patient/" + BuiltInServer.ALICE_PATIENT).statusCode()).isEqualTo(200);
		assertThat(fhir(accessToken).get("/Observation/" + aliceObservation).statusCode()).isEqualTo(200);
		assertThat(fhir(accessToken).get("/Patient/" + BuiltInServer.ALICE_PATIENT + "/$everything").statusCode())
			.isEqualTo(200);
		// another patient's record is closed, however asked for
		assertThat(fhir(accessToken).get("/Patient/" + OTHER_PATIENT).statusCode()).isEqualTo(403);
		assertThat(fhir(accessToken).get("/Observation/" + otherObservation).statusCode()).isEqualTo(403);
		assertThat(fhir(accessToken).get("/Patient/" + OTHER_PATIENT + "/$everything").statusCode()).isEqualTo(403);
		assertThat(fhir(accessToken).get("/Observation?subject=Patient/" + OTHER_PATIENT).statusCode()).isEqualTo(403);
		// nothing is written with read scopes
		assertThat(fhir(accessToken).body("{\"resourceType\":\"Patient\"}").post("/Patient").statusCode())
			.isEqualTo(403);
	}

	@Test
	void aUserWithUserScopesReadsEveryPatient() {
		Pkce pkce = Pkce.make();
		Response token = redeem(codeFor("bob", BuiltInServer.BOB_PASSWORD, SCOPE, pkce), pkce.verifier());
		assertThat(token.statusCode()).as(token.asString()).isEqualTo(200);
		assertThat(token.jsonPath().getString("scope").split(" ")).contains("user/*.rs")
			.doesNotContain("patient/*.rs", "launch/patient");
		assertThat(token.jsonPath().getString("patient")).isNull();
		String accessToken = token.jsonPath().getString("access_token");
		assertThat(fhir(accessToken).get("/Patient/" + OTHER_PATIENT).statusCode()).isEqualTo(200);
		assertThat(fhir(accessToken).get("/Patient/" + BuiltInServer.ALICE_PATIENT + "/$everything").statusCode())
			.isEqualTo(200);
		assertThat(fhir(accessToken).get("/AuditEvent").statusCode()).as("* stops short of the audit trail")
			.isEqualTo(403);
	}

	@Test
	void grantedScopesAreWhatBothTheAppAskedAndTheUserMayHave() {
		// erin may read Observations only: asked for user/*.rs she gets that much
		Pkce pkce = Pkce.make();
		Response token = redeem(codeFor("erin", BuiltInServer.PASSWORD, SCOPE, pkce), pkce.verifier());
		assertThat(token.statusCode()).as(token.asString()).isEqualTo(200);
		assertThat(token.jsonPath().getString("scope").split(" ")).contains("user/Observation.rs")
			.doesNotContain("user/*.rs");
		String accessToken = token.jsonPath().getString("access_token");
		assertThat(fhir(accessToken).get("/Observation/" + otherObservation).statusCode()).isEqualTo(200);
		assertThat(fhir(accessToken).get("/Patient/" + OTHER_PATIENT).statusCode()).isEqualTo(403);
		// bob, with user/*.rs, asking for Observations only gets Observations only
		Pkce narrow = Pkce.make();
		Response observations = redeem(codeFor("bob", BuiltInServer.BOB_PASSWORD, "user/Observation.rs", narrow),
				narrow.verifier());
		assertThat(observations.jsonPath().getString("scope")).isEqualTo("user/Observation.rs");
	}

	@Test
	void aUserWithNoneOfTheRequestedScopesIsSentBackWithAccessDenied() {
		Pkce pkce = Pkce.make();
		URI back = signIn("carol", BuiltInServer.PASSWORD, authorizeParameters(SCOPE, pkce, "s-carol"));
		assertThat(back.toString()).startsWith(REDIRECT);
		Map<String, String> answer = query(back);
		assertThat(answer).containsEntry("error", "access_denied")
			.containsEntry("state", "s-carol")
			.containsKey("error_description")
			.doesNotContainKey("code");
	}

	@Test
	void aWrongPasswordShowsTheErrorAndGivesNoCode() {
		Pkce pkce = Pkce.make();
		Session session = Session.start(authorizeParameters(SCOPE, pkce, "s"));
		Response refused = session.postLogin("alice", "not-her-password");
		assertThat(refused.statusCode()).isEqualTo(401);
		assertThat(refused.contentType()).startsWith("text/html");
		assertThat(refused.asString()).contains("role=\"alert\"", "not right").doesNotContain("not-her-password");
		assertThat(refused.header("Location")).isNull();
		// unknown users are answered alike
		assertThat(session.postLogin("nobody-" + UUID.randomUUID(), "x").statusCode()).isEqualTo(401);
	}

	@Test
	void aCodeIsRedeemedOnceWithItsVerifierAndRedirectUri() {
		Pkce pkce = Pkce.make();
		String code = codeFor("bob", BuiltInServer.BOB_PASSWORD, SCOPE, pkce);
		assertInvalidGrant(redeem(code, "wrong-verifier-" + "x".repeat(40)), "wrong code_verifier");
		Pkce second = Pkce.make();
		code = codeFor("bob", BuiltInServer.BOB_PASSWORD, SCOPE, second);
		assertThat(tokenRequest(code, null, REDIRECT).statusCode()).as("no code_verifier").isBetween(400, 401);
		assertInvalidGrant(tokenRequest(code, second.verifier(), "https://evil.test/viewer/"), "another redirect_uri");
		Pkce third = Pkce.make();
		code = codeFor("bob", BuiltInServer.BOB_PASSWORD, SCOPE, third);
		assertThat(redeem(code, third.verifier()).statusCode()).isEqualTo(200);
		assertInvalidGrant(redeem(code, third.verifier()), "second redemption");
		assertInvalidGrant(redeem("made-up-code", third.verifier()), "unknown code");
	}

	@Test
	void badAuthorizationRequestsAreRefusedWithoutAServerError() {
		Pkce pkce = Pkce.make();
		// errors the client can be told: back to its (known) redirect URI
		Map<String, String> plain = authorizeParameters(SCOPE, pkce, "s1");
		plain.put("code_challenge", pkce.verifier());
		plain.put("code_challenge_method", "plain");
		assertErrorAtRedirect(plain, "invalid_request");
		Map<String, String> noChallenge = authorizeParameters(SCOPE, pkce, "s2");
		noChallenge.remove("code_challenge");
		noChallenge.remove("code_challenge_method");
		assertErrorAtRedirect(noChallenge, "invalid_request");
		assertErrorAtRedirect(authorizeParameters("system/*.rs", pkce, "s3"), "invalid_scope");
		assertErrorAtRedirect(authorizeParameters("openid fhirUser", pkce, "s4"), "invalid_scope");
		// errors about the client or the redirect URI: never sent to that URI
		Map<String, String> elsewhere = authorizeParameters(SCOPE, pkce, "s5");
		elsewhere.put("redirect_uri", "https://evil.test/viewer/");
		assertRefusedHere(elsewhere);
		Map<String, String> stranger = authorizeParameters(SCOPE, pkce, "s6");
		stranger.put("client_id", "no-such-client");
		assertRefusedHere(stranger);
		Map<String, String> huge = authorizeParameters(SCOPE, pkce, "x".repeat(3000));
		huge.put("nonce", "y".repeat(3000));
		assertRefusedHere(huge);
		// a backend client cannot use the code flow
		Map<String, String> backend = authorizeParameters("system/Observation.cu", pkce, "s7");
		backend.put("client_id", "lab-feed");
		assertRefusedHere(backend);
		// the token endpoint: an unknown client, a huge parameter
		Response unknown = anonymous().contentType("application/x-www-form-urlencoded")
			.formParam("grant_type", "authorization_code")
			.formParam("code", "c")
			.formParam("redirect_uri", REDIRECT)
			.formParam("client_id", "no-such-client")
			.formParam("code_verifier", pkce.verifier())
			.post("/oauth2/token");
		assertThat(unknown.statusCode()).isBetween(400, 401);
		assertThat(tokenRequest("c".repeat(20_000), pkce.verifier(), REDIRECT).statusCode()).isEqualTo(400);
	}

	@Test
	void repeatedFailedSignInsAreRefusedForAWhile() {
		Session session = Session.start(authorizeParameters(SCOPE, Pkce.make(), "s"));
		for (int i = 0; i < 5; i++) {
			assertThat(session.postLogin("dora", "guess-" + i).statusCode()).isEqualTo(401);
		}
		Response locked = session.postLogin("dora", BuiltInServer.PASSWORD);
		assertThat(locked.statusCode()).as("even the right password, for now").isEqualTo(429);
		assertThat(locked.asString()).contains("Too many failed sign-ins");
	}

	@Test
	void signInsAndIssuedTokensAreAuditedWithoutThePassword() throws Exception {
		String stranger = "mallory-" + UUID.randomUUID();
		Session.start(authorizeParameters(SCOPE, Pkce.make(), "s")).postLogin(stranger, "Secret-Guess-42");
		Pkce pkce = Pkce.make();
		redeem(codeFor("alice", BuiltInServer.ALICE_PASSWORD, SCOPE, pkce), pkce.verifier()).then().statusCode(200);
		String admin = server.adminToken();
		String failure = awaitAudit(admin, "AuditEvent?altid=" + stranger);
		assertThat(failure).contains("110122", stranger).doesNotContain("Secret-Guess-42");
		assertThat(failure).containsPattern("\"outcome\"\\s*:\\s*\"4\"");
		String issued = awaitAudit(admin, "AuditEvent?altid=alice&_count=100");
		assertThat(issued).contains("/oauth2/token", VIEWER).doesNotContain(BuiltInServer.ALICE_PASSWORD);
	}

	@Test
	void theSignInPageIsAPlainAccessibleForm() {
		Session session = Session.start(authorizeParameters(SCOPE, Pkce.make(), "s"));
		String page = session.loginPage;
		assertThat(page).contains("<label for=\"username\">", "<label for=\"password\">", "autocomplete=\"username\"",
				"autocomplete=\"current-password\"", "name=\"_csrf\"", "<html lang=\"en\">");
		assertThat(page).doesNotContain("<script", "http://", "https://");
		// without the CSRF token the form is refused
		Response forged = anonymous().config(NO_REDIRECTS)
			.cookie("JSESSIONID", session.cookie)
			.contentType("application/x-www-form-urlencoded")
			.formParam("username", "bob")
			.formParam("password", BuiltInServer.BOB_PASSWORD)
			.post("/login");
		assertThat(forged.statusCode()).isEqualTo(403);
	}

	@Test
	void appsLearnWhereUsersSignIn() {
		Response smart = anonymous().get("/.well-known/smart-configuration");
		assertThat(smart.jsonPath().getString("authorization_endpoint"))
			.isEqualTo(BuiltInServer.ISSUER + "/oauth2/authorize");
		assertThat(smart.jsonPath().getList("grant_types_supported", String.class))
			.containsExactlyInAnyOrder("client_credentials", "authorization_code");
		assertThat(smart.jsonPath().getList("code_challenge_methods_supported", String.class)).containsExactly("S256");
		assertThat(smart.jsonPath().getList("response_types_supported", String.class)).containsExactly("code");
		assertThat(smart.jsonPath().getList("token_endpoint_auth_methods_supported", String.class))
			.containsExactlyInAnyOrder("private_key_jwt", "none");
		assertThat(smart.jsonPath().getList("scopes_supported", String.class)).contains("openid", "fhirUser",
				"launch/patient", "patient/*.rs", "user/*.rs");
		assertThat(smart.jsonPath().getList("capabilities", String.class)).contains("launch-standalone",
				"client-public", "context-standalone-patient", "permission-patient", "permission-user");
		Response metadata = given().port(server.port())
			.basePath("/fhir")
			.accept("application/fhir+json")
			.get("/metadata");
		assertThat(metadata.asString()).contains("\"authorize\"", BuiltInServer.ISSUER + "/oauth2/authorize");
		Response config = anonymous().get("/viewer/config.json");
		assertThat(config.statusCode()).isEqualTo(200);
		assertThat(config.jsonPath().getString("security")).isEqualTo("smart");
		assertThat(config.jsonPath().getString("clientId")).isEqualTo(VIEWER);
		assertThat(config.jsonPath().getString("scope")).isEqualTo(SCOPE);
		assertThat(config.jsonPath().getString("fhirBase")).isEqualTo(BuiltInServer.ISSUER + "/fhir");
	}

	@Test
	void anExtraRedirectUriFromConfigurationIsAccepted() {
		Pkce pkce = Pkce.make();
		Map<String, String> parameters = authorizeParameters(SCOPE, pkce, "s-extra");
		parameters.put("redirect_uri", "http://127.0.0.1:8765/viewer/");
		URI back = signIn("bob", BuiltInServer.BOB_PASSWORD, parameters);
		assertThat(back.toString()).startsWith("http://127.0.0.1:8765/viewer/");
		Response token = tokenRequest(query(back).get("code"), pkce.verifier(), "http://127.0.0.1:8765/viewer/");
		assertThat(token.statusCode()).as(token.asString()).isEqualTo(200);
	}

	// --- the flow, step by step

	/** A browser's cookie jar of one: the session cookie, and the login form it got. */
	private static final class Session {

		String cookie;

		String csrf;

		String loginPage;

		/** Asks for authorization without a session: sent to the sign-in page. */
		static Session start(Map<String, String> authorize) {
			Session session = new Session();
			Response first = anonymous().config(NO_REDIRECTS).queryParams(authorize).get("/oauth2/authorize");
			assertThat(first.statusCode()).as(first.asString()).isEqualTo(302);
			assertThat(first.header("Location")).endsWith("/login");
			session.cookie = first.cookie("JSESSIONID");
			assertThat(session.cookie).as("a session for the sign-in").isNotNull();
			assertThat(first.header("Set-Cookie")).contains("HttpOnly");
			Response page = anonymous().cookie("JSESSIONID", session.cookie).get("/login");
			assertThat(page.statusCode()).isEqualTo(200);
			session.loginPage = page.asString();
			Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(session.loginPage);
			assertThat(csrf.find()).as("CSRF token in the form").isTrue();
			session.csrf = csrf.group(1);
			return session;
		}

		Response postLogin(String username, String password) {
			Response response = anonymous().config(NO_REDIRECTS)
				.cookie("JSESSIONID", cookie)
				.contentType("application/x-www-form-urlencoded")
				.formParam("username", username)
				.formParam("password", password)
				.formParam("_csrf", csrf)
				.post("/login");
			if (response.cookie("JSESSIONID") != null) {
				// a new session id once signed in (session fixation)
				cookie = response.cookie("JSESSIONID");
			}
			return response;
		}

	}

	/**
	 * Signs in and follows the way back to the authorization endpoint; returns where it
	 * sends the browser (the app's redirect URI).
	 */
	private static URI signIn(String username, String password, Map<String, String> authorize) {
		Session session = Session.start(authorize);
		Response login = session.postLogin(username, password);
		assertThat(login.statusCode()).as(login.asString()).isEqualTo(302);
		String resume = login.header("Location");
		assertThat(resume).contains("/oauth2/authorize");
		Response authorized = given().config(NO_REDIRECTS)
			.urlEncodingEnabled(false)
			.cookie("JSESSIONID", session.cookie)
			.get(resume);
		assertThat(authorized.statusCode()).as(authorized.asString()).isEqualTo(302);
		return URI.create(authorized.header("Location"));
	}

	private static String codeFor(String username, String password, String scope, Pkce pkce) {
		Map<String, String> answer = query(signIn(username, password, authorizeParameters(scope, pkce, "s")));
		assertThat(answer).as("authorization answer").containsKey("code");
		return answer.get("code");
	}

	private static Map<String, String> authorizeParameters(String scope, Pkce pkce, String state) {
		Map<String, String> parameters = new LinkedHashMap<>();
		parameters.put("response_type", "code");
		parameters.put("client_id", VIEWER);
		parameters.put("redirect_uri", REDIRECT);
		parameters.put("scope", scope);
		parameters.put("state", state);
		parameters.put("aud", BuiltInServer.ISSUER + "/fhir");
		parameters.put("code_challenge", pkce.challenge());
		parameters.put("code_challenge_method", "S256");
		return parameters;
	}

	private static Response redeem(String code, String verifier) {
		return tokenRequest(code, verifier, REDIRECT);
	}

	private static Response tokenRequest(String code, String verifier, String redirectUri) {
		RequestSpecification request = anonymous().contentType("application/x-www-form-urlencoded")
			.formParam("grant_type", "authorization_code")
			.formParam("code", code)
			.formParam("redirect_uri", redirectUri)
			.formParam("client_id", VIEWER);
		if (verifier != null) {
			request.formParam("code_verifier", verifier);
		}
		return request.post("/oauth2/token");
	}

	private static void assertInvalidGrant(Response response, String why) {
		assertThat(response.statusCode()).as(why + ": " + response.asString()).isEqualTo(400);
		assertThat(response.jsonPath().getString("error")).as(why).isEqualTo("invalid_grant");
	}

	private static void assertErrorAtRedirect(Map<String, String> authorize, String error) {
		Response response = anonymous().config(NO_REDIRECTS).queryParams(authorize).get("/oauth2/authorize");
		assertThat(response.statusCode()).as(response.asString()).isEqualTo(302);
		URI back = URI.create(response.header("Location"));
		assertThat(back.toString()).as(error).startsWith(REDIRECT);
		assertThat(query(back)).containsEntry("error", error).containsEntry("state", authorize.get("state"));
	}

	private static void assertRefusedHere(Map<String, String> authorize) {
		Response response = anonymous().config(NO_REDIRECTS).queryParams(authorize).get("/oauth2/authorize");
		assertThat(response.statusCode()).as(response.asString()).isBetween(400, 499);
		assertThat(response.asString()).doesNotContain("Exception", "at org.");
	}

	private static Map<String, String> query(URI uri) {
		Map<String, String> parameters = new LinkedHashMap<>();
		if (uri.getRawQuery() != null) {
			for (String pair : uri.getRawQuery().split("&")) {
				int eq = pair.indexOf('=');
				parameters.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
						URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
			}
		}
		return parameters;
	}

	private static String awaitAudit(String admin, String search) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		Response found;
		do {
			Thread.sleep(250);
			found = fhir(admin).get("/" + search);
		}
		while ((found.statusCode() != 200 || found.jsonPath().getInt("total") == 0) && System.nanoTime() < deadline);
		assertThat(found.jsonPath().getInt("total")).as(search).isPositive();
		return found.asString();
	}

	private static String observation(String token, String patient) {
		return fhir(token)
			.body("""
					{"resourceType":"Observation","status":"final",
					 "code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},
					 "subject":{"reference":"Patient/%s"},"effectiveDateTime":"2025-01-10T08:00:00Z",
					 "valueQuantity":{"value":36.8,"unit":"Cel","system":"http://unitsofmeasure.org","code":"Cel"}}"""
				.formatted(patient))
			.post("/Observation")
			.then()
			.statusCode(201)
			.extract()
			.path("id");
	}

	private static RequestSpecification anonymous() {
		return given().port(server.port()).basePath("/");
	}

	private static RequestSpecification fhir(String token) {
		return given().port(server.port())
			.basePath("/fhir")
			.header("Authorization", "Bearer " + token)
			.contentType("application/fhir+json")
			.accept("application/fhir+json");
	}

	/** RFC 7636: a random verifier and its S256 challenge. */
	private record Pkce(String verifier, String challenge) {

		static Pkce make() {
			byte[] random = new byte[32];
			new SecureRandom().nextBytes(random);
			String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
			try {
				byte[] digest = MessageDigest.getInstance("SHA-256")
					.digest(verifier.getBytes(StandardCharsets.US_ASCII));
				return new Pkce(verifier, Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
			}
			catch (java.security.NoSuchAlgorithmException e) {
				throw new IllegalStateException(e);
			}
		}

	}

}
