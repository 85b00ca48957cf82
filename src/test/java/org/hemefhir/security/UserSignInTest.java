package org.hemefhir.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import jakarta.servlet.http.HttpSessionEvent;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationCode;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * The pieces of the users' sign-in without a server: who may be configured, which scopes
 * a user gets, the bounded failed-login counters, the bounded store of codes and the
 * bounded sign-in sessions.
 */
class UserSignInTest {

	private static SecurityProperties.User user(String name, String patient, String... scopes) {
		return new SecurityProperties.User(name, "{noop}pw", null, List.of(scopes), patient);
	}

	@Test
	void usersAreCheckedAtStart() {
		assertThat(new UserDirectory(List.of(user("alice", "p1", "patient/*.rs"), user("bob", null, "user/*.rs")))
			.find("alice")
			.patient()).isEqualTo("p1");
		assertThatThrownBy(() -> new UserDirectory(List.of(user("a", null, "user/*.rs"), user("a", null))))
			.hasMessageContaining("user a is configured twice");
		assertThatThrownBy(() -> new UserDirectory(List.of(user("a", null, "root/*.all"))))
			.hasMessageContaining("scope 'root/*.all' is not one this server grants");
		assertThatThrownBy(() -> new UserDirectory(List.of(user("a", null, "patient/*.rs"))))
			.hasMessageContaining("needs hemefhir.security.users[].patient");
		assertThatThrownBy(() -> new UserDirectory(
				List.of(new SecurityProperties.User("a", "plain-text", null, List.of("user/*.rs"), null))))
			.hasMessageContaining("{bcrypt}");
	}

	@Test
	void aUserGetsWhatBothTheAppAskedAndTheUserMayHave() {
		List<String> asked = List.of("openid", "fhirUser", "launch/patient", "user/*.rs", "patient/*.rs");
		assertThat(ScopeRequests.grantedToUser(asked, List.of("user/*.rs"), false)).containsExactlyInAnyOrder("openid",
				"fhirUser", "user/*.rs");
		assertThat(ScopeRequests.grantedToUser(asked, List.of("patient/*.rs"), true))
			.containsExactlyInAnyOrder("openid", "fhirUser", "launch/patient", "patient/*.rs");
		assertThat(ScopeRequests.grantedToUser(asked, List.of("user/Observation.rs"), false))
			.containsExactlyInAnyOrder("openid", "fhirUser", "user/Observation.rs");
		assertThat(ScopeRequests.grantedToUser(List.of("user/Observation.rs"), List.of("user/*.rs"), false))
			.containsExactly("user/Observation.rs");
		// the audit trail is not reached through a wildcard, either way
		assertThat(ScopeRequests.grantedToUser(asked, List.of("user/AuditEvent.rs"), false)
			.stream()
			.noneMatch(ScopeRequests::grantsData)).isTrue();
		// context scopes open nothing
		assertThat(Grants.of("openid fhirUser launch/patient", "p1").allows("Patient", SmartScope.Interaction.READ))
			.isFalse();
	}

	@Test
	void failedSignInsAreCountedInABoundedMap() {
		AtomicLong now = new AtomicLong();
		LoginThrottle throttle = new LoginThrottle(3, 10, Duration.ofMinutes(15), 100, now::get);
		for (int i = 0; i < 3; i++) {
			assertThat(throttle.refused("dora", "10.0.0.1")).isFalse();
			throttle.failed("dora", "10.0.0.1");
		}
		assertThat(throttle.refused("dora", "10.0.0.2")).isTrue();
		assertThat(throttle.refused("bob", "10.0.0.2")).isFalse();
		now.addAndGet(Duration.ofMinutes(16).toNanos());
		assertThat(throttle.refused("dora", "10.0.0.1")).as("after the window").isFalse();
		for (int i = 0; i < 10_000; i++) {
			throttle.failed("guess-" + i, "10.0." + (i / 256) + "." + (i % 256));
		}
		assertThat(throttle.size()).isLessThanOrEqualTo(100);
	}

	@Test
	void onlyUnredeemedCodesAreKeptAndNotBeyondTheCap() {
		PendingAuthorizations pending = new PendingAuthorizations(2);
		OAuth2Authorization first = pendingCode("c1");
		pending.save(first);
		pending.save(pendingCode("c2"));
		assertThat(pending.findByToken("c1", new OAuth2TokenType("code"))).isNotNull();
		assertThatThrownBy(() -> pending.save(pendingCode("c3"))).isInstanceOf(OAuth2AuthenticationException.class)
			.extracting(e -> ((OAuth2AuthenticationException) e).getError().getErrorCode())
			.isEqualTo("temporarily_unavailable");
		// redeemed: the access token issued, the code gone
		pending.save(OAuth2Authorization.from(first)
			.accessToken(new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "t", Instant.now(),
					Instant.now().plusSeconds(60)))
			.build());
		assertThat(pending.findByToken("c1", null)).isNull();
		assertThat(pending.size()).isEqualTo(1);
		pending.save(pendingCode("c3"));
		assertThat(pending.findByToken("c3", null)).isNotNull();
	}

	@Test
	void signInSessionsAreBounded() throws Exception {
		SignInSessions sessions = new SignInSessions(1, Duration.ofMinutes(10));
		MockHttpSession session = new MockHttpSession();
		sessions.sessionCreated(new HttpSessionEvent(session));
		assertThat(session.getMaxInactiveInterval()).isEqualTo(600);
		MockHttpServletResponse refused = new MockHttpServletResponse();
		sessions.refuseBeyondCapacity().doFilter(new MockHttpServletRequest(), refused, new MockFilterChain());
		assertThat(refused.getStatus()).as("a new session beyond the bound").isEqualTo(503);
		MockHttpServletRequest signingIn = new MockHttpServletRequest();
		signingIn.setSession(session);
		MockHttpServletResponse continued = new MockHttpServletResponse();
		sessions.refuseBeyondCapacity().doFilter(signingIn, continued, new MockFilterChain());
		assertThat(continued.getStatus()).as("an open session goes on").isEqualTo(200);
		sessions.sessionDestroyed(new HttpSessionEvent(session));
		MockHttpServletResponse later = new MockHttpServletResponse();
		sessions.refuseBeyondCapacity().doFilter(new MockHttpServletRequest(), later, new MockFilterChain());
		assertThat(later.getStatus()).isEqualTo(200);
	}

	private static OAuth2Authorization pendingCode(String code) {
		SecurityProperties properties = new SecurityProperties(SecurityProperties.Mode.SMART, false,
				"https://hemefhir.test", null, null, null, null, List.of("RS384"), Duration.ofSeconds(30), null, null,
				null, Duration.ofMinutes(5), Duration.ofMinutes(5), null, null, null, null);
		RegisteredClient viewer = ClientRegistry.viewer(properties);
		return OAuth2Authorization.withRegisteredClient(viewer)
			.principalName("alice")
			.authorizationGrantType(org.springframework.security.oauth2.core.AuthorizationGrantType.AUTHORIZATION_CODE)
			.authorizedScopes(Set.of("user/*.rs"))
			.token(new OAuth2AuthorizationCode(code, Instant.now(), Instant.now().plusSeconds(120)))
			.build();
	}

}
