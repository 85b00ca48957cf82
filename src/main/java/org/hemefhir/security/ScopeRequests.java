package org.hemefhir.security;

import java.util.Collection;
import java.util.Objects;
import java.util.Set;

/**
 * Which scopes the built-in authorization server grants: a requested scope is granted
 * when a registered scope of the client covers it (same context, the type or {@code *},
 * at least the same interactions, no or the same search restriction), so a client
 * registered with {@code system/*.rs} may ask for {@code system/Observation.rs}.
 */
final class ScopeRequests {

	/** Scopes of this server that are not resource scopes. */
	static final Set<String> SERVER_SCOPES = Set.of(Grants.ADMIN_SCOPE, Grants.VALIDATE_SCOPE,
			Grants.DEIDENTIFIED_EXPORT_SCOPE);

	private ScopeRequests() {
	}

	/** A scope this server understands and may grant. */
	static boolean known(String scope) {
		return SERVER_SCOPES.contains(scope) || SmartScope.parse(scope).isPresent();
	}

	static boolean covered(String requested, Collection<String> registered) {
		return registered.stream().anyMatch(scope -> covers(scope, requested));
	}

	private static boolean covers(String registered, String requested) {
		if (registered.equals(requested)) {
			return true;
		}
		SmartScope wide = SmartScope.parse(registered).orElse(null);
		SmartScope narrow = SmartScope.parse(requested).orElse(null);
		if (wide == null || narrow == null || wide.context() != narrow.context()) {
			return false;
		}
		// the audit trail is granted only by scopes that name it, never by a wildcard
		boolean typeCovered = wide.resourceType().equals(narrow.resourceType())
				|| wide.resourceType().equals("*") && !SmartScope.AUDIT_TYPES.contains(narrow.resourceType());
		return typeCovered && wide.interactions().containsAll(narrow.interactions())
				&& (wide.restriction() == null || Objects.equals(wide.restriction(), narrow.restriction()));
	}

}
