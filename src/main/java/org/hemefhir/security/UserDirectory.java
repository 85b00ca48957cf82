package org.hemefhir.security;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * The people who sign in to the built-in authorization server
 * ({@code hemefhir.security.users}), checked at start as the clients are: each has a
 * username used once, a password hash Spring can verify, only scopes this server grants,
 * and a patient when a {@code patient/} scope would otherwise open nothing.
 */
final class UserDirectory implements UserDetailsService {

	private static final Logger log = LoggerFactory.getLogger(UserDirectory.class);

	/** What the token endpoint and the scope narrowing need to know of a user. */
	record SignedInUser(String username, String name, List<String> scopes, String patient) {
	}

	/** {@code {bcrypt}...}, {@code {argon2}...}, {@code {noop}...}: Spring's formats. */
	private final PasswordEncoder passwords = PasswordEncoderFactories.createDelegatingPasswordEncoder();

	private final Map<String, SecurityProperties.User> users;

	UserDirectory(List<SecurityProperties.User> configured) {
		Map<String, SecurityProperties.User> byName = new LinkedHashMap<>();
		for (SecurityProperties.User user : configured) {
			String username = user.username();
			if (username == null || username.isBlank()) {
				throw new IllegalStateException("hemefhir.security.users: a user without a username is configured");
			}
			if (byName.putIfAbsent(username, user) != null) {
				throw new IllegalStateException("hemefhir.security.users: user " + username + " is configured twice");
			}
			String password = user.password();
			if (password == null || !password.matches("\\{[A-Za-z0-9_-]+}.+")) {
				throw new IllegalStateException("User " + username
						+ ": the password must be a hash with its encoder id, e.g. {bcrypt}$2a$10$... (see docs/security.md)");
			}
			if (password.startsWith("{noop}")) {
				log.warn("User {}: the password is stored in plain text ({noop}); use a {bcrypt} hash", username);
			}
			List<String> scopes = user.scopes() == null ? List.of() : user.scopes();
			for (String scope : scopes) {
				if (!ScopeRequests.known(scope) || ScopeRequests.CONTEXT_SCOPES.contains(scope)) {
					throw new IllegalStateException(
							"User " + username + ": scope '" + scope + "' is not one this server grants");
				}
			}
			boolean patientScopes = scopes.stream().anyMatch(ScopeRequests::isPatientScope);
			if (patientScopes && (user.patient() == null || !user.patient().matches("[A-Za-z0-9\\-.]{1,64}"))) {
				throw new IllegalStateException("User " + username
						+ " has patient/ scopes and needs hemefhir.security.users[].patient: the id of the Patient whose record they open");
			}
		}
		this.users = Map.copyOf(byName);
		if (!users.isEmpty()) {
			log.info("Built-in authorization server: {} user(s) may sign in", users.size());
		}
	}

	@Override
	public UserDetails loadUserByUsername(String username) {
		SecurityProperties.User user = username == null ? null : users.get(username);
		if (user == null) {
			throw new UsernameNotFoundException("No such user");
		}
		return User.withUsername(user.username())
			.password(user.password())
			.authorities(AuthorityUtils.NO_AUTHORITIES)
			.build();
	}

	/** The user, or null. */
	SignedInUser find(String username) {
		SecurityProperties.User user = username == null ? null : users.get(username);
		if (user == null) {
			return null;
		}
		return new SignedInUser(user.username(), user.name() == null ? user.username() : user.name(),
				user.scopes() == null ? List.of() : user.scopes(), user.patient());
	}

	PasswordEncoder passwordEncoder() {
		return passwords;
	}

}
