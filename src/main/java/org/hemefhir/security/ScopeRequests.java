package org.hemefhir.security;

import java.util.Collection;
import java.util.LinkedHashSet;
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

	/** Who signed in and which patient they chose: context, no data access by itself. */
	static final String OPENID = "openid";

	static final String FHIR_USER = "fhirUser";

	static final String LAUNCH_PATIENT = "launch/patient";

	/**
	 * Context scopes of SMART App Launch: accepted in requests, granting no data (Grants
	 * ignores them).
	 */
	static final Set<String> CONTEXT_SCOPES = Set.of(OPENID, FHIR_USER, LAUNCH_PATIENT);

	private ScopeRequests() {
	}

	/** A scope this server understands and may grant. */
	static boolean known(String scope) {
		return SERVER_SCOPES.contains(scope) || CONTEXT_SCOPES.contains(scope) || SmartScope.parse(scope).isPresent();
	}

	/** A scope that opens data (a resource or server scope), not only context. */
	static boolean grantsData(String scope) {
		return !CONTEXT_SCOPES.contains(scope) && known(scope);
	}

	/**
	 * What a signed-in user gets of the scopes an app asked for: each requested scope one
	 * of the user's covers, and each of the user's scopes a requested one covers (a user
	 * with {@code user/Observation.rs} asking {@code user/*.rs} gets
	 * {@code user/Observation.rs}). {@code launch/patient} only with a patient scope
	 * granted and a patient to give; the other context scopes as asked.
	 */
	static Set<String> grantedToUser(Collection<String> requested, Collection<String> userScopes, boolean hasPatient) {
		Set<String> granted = new LinkedHashSet<>();
		for (String scope : requested) {
			if (CONTEXT_SCOPES.contains(scope)) {
				continue;
			}
			if (covered(scope, userScopes)) {
				granted.add(scope);
				continue;
			}
			for (String own : userScopes) {
				if (covers(scope, own)) {
					granted.add(own);
				}
			}
		}
		granted.removeIf(scope -> !hasPatient && isPatientScope(scope));
		boolean patientGranted = granted.stream().anyMatch(ScopeRequests::isPatientScope);
		Set<String> withContext = new LinkedHashSet<>();
		for (String scope : requested) {
			if (scope.equals(LAUNCH_PATIENT) ? patientGranted : CONTEXT_SCOPES.contains(scope)) {
				withContext.add(scope);
			}
		}
		withContext.addAll(granted);
		return withContext;
	}

	static boolean isPatientScope(String scope) {
		return SmartScope.parse(scope).map(s -> s.context() == SmartScope.Context.PATIENT).orElse(false);
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
