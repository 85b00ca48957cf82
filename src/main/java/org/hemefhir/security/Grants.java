package org.hemefhir.security;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.hemefhir.security.SmartScope.Context;
import org.hemefhir.security.SmartScope.Interaction;

/**
 * What one token's scopes allow. Only {@code system/} and {@code user/} scopes without a
 * search restriction grant anything yet: patient-scoped and restricted scopes are
 * recognised but grant nothing, so a token that relies on them is refused rather than
 * given more than it asked for.
 */
public final class Grants {

	/** Administrative operations (reindexing, expunge) need this scope in addition. */
	public static final String ADMIN_SCOPE = "hemefhir/admin";

	private final List<SmartScope> effective = new ArrayList<>();

	private final List<SmartScope> notYetSupported = new ArrayList<>();

	private final boolean admin;

	private Grants(Collection<String> scopes) {
		boolean admin = false;
		for (String scope : scopes) {
			admin |= ADMIN_SCOPE.equals(scope);
			SmartScope.parse(scope).ifPresent(s -> {
				if (s.context() == Context.PATIENT || s.restriction() != null) {
					notYetSupported.add(s);
				}
				else {
					effective.add(s);
				}
			});
		}
		this.admin = admin;
	}

	/** From the space-separated {@code scope} claim. */
	public static Grants of(String scopeClaim) {
		return new Grants(scopeClaim == null || scopeClaim.isBlank() ? List.of()
				: Arrays.asList(scopeClaim.trim().split("\\s+")));
	}

	public static Grants of(Collection<String> scopes) {
		return new Grants(scopes);
	}

	public boolean allows(String resourceType, Interaction interaction) {
		return effective.stream().anyMatch(s -> s.covers(resourceType, interaction));
	}

	/** Read or search: either lets a resource of the type be returned. */
	public boolean mayReturn(String resourceType) {
		return allows(resourceType, Interaction.READ) || allows(resourceType, Interaction.SEARCH);
	}

	public boolean allowsAll(Set<String> resourceTypes, Interaction interaction) {
		return resourceTypes.stream().allMatch(t -> allows(t, interaction));
	}

	public boolean admin() {
		return admin;
	}

	List<SmartScope> effective() {
		return effective;
	}

	List<SmartScope> notYetSupported() {
		return notYetSupported;
	}

}
