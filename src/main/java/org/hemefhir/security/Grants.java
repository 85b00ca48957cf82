package org.hemefhir.security;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.hemefhir.security.SmartScope.Context;
import org.hemefhir.security.SmartScope.Interaction;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * What one token's scopes allow. {@code system/} and {@code user/} scopes apply to all
 * data; {@code patient/} scopes to the compartment of the token's {@code patient} claim
 * (without that claim they grant nothing). Scopes with a v2 search restriction are
 * recognised but grant nothing yet, so a token that relies on them is refused rather than
 * given more than it asked for.
 */
public final class Grants {

	/** Administrative operations (reindexing, expunge) need this scope in addition. */
	public static final String ADMIN_SCOPE = "hemefhir/admin";

	/** Lets {@code $validate} be the only thing a validator client may do. */
	public static final String VALIDATE_SCOPE = "hemefhir/validate";

	private final List<SmartScope> effective = new ArrayList<>();

	private final List<SmartScope> inCompartment = new ArrayList<>();

	private final List<SmartScope> notYetSupported = new ArrayList<>();

	private final boolean admin;

	private final boolean validator;

	private final String patient;

	private Grants(Collection<String> scopes, String patient) {
		this.patient = patient == null || patient.isBlank() ? null : patient;
		boolean admin = false;
		boolean validator = false;
		for (String scope : scopes) {
			admin |= ADMIN_SCOPE.equals(scope);
			validator |= VALIDATE_SCOPE.equals(scope);
			SmartScope.parse(scope).ifPresent(s -> {
				if (s.restriction() != null || (s.context() == Context.PATIENT && this.patient == null)) {
					notYetSupported.add(s);
				}
				else if (s.context() == Context.PATIENT) {
					inCompartment.add(s);
				}
				else {
					effective.add(s);
				}
			});
		}
		this.admin = admin;
		this.validator = validator;
	}

	/** The grants of a bearer token: its {@code scope} and {@code patient} claims. */
	static Grants of(Jwt token) {
		return of(token.getClaimAsString("scope"), token.getClaimAsString("patient"));
	}

	/** From the space-separated {@code scope} claim and the {@code patient} claim. */
	public static Grants of(String scopeClaim, String patient) {
		return new Grants(
				scopeClaim == null || scopeClaim.isBlank() ? List.of() : Arrays.asList(scopeClaim.trim().split("\\s+")),
				patient);
	}

	public static Grants of(String scopeClaim) {
		return of(scopeClaim, null);
	}

	public static Grants of(Collection<String> scopes) {
		return new Grants(scopes, null);
	}

	/** The interaction on the type, for all data or within the patient's compartment. */
	public boolean allows(String resourceType, Interaction interaction) {
		return allowsEverywhere(resourceType, interaction)
				|| inCompartment.stream().anyMatch(s -> s.covers(resourceType, interaction));
	}

	/** The interaction on the type, for all data. */
	public boolean allowsEverywhere(String resourceType, Interaction interaction) {
		return effective.stream().anyMatch(s -> s.covers(resourceType, interaction));
	}

	/** The id of the patient whose compartment the patient scopes open, or null. */
	String patient() {
		return patient;
	}

	List<SmartScope> inCompartment() {
		return inCompartment;
	}

	public boolean admin() {
		return admin;
	}

	public boolean validator() {
		return validator;
	}

	List<SmartScope> effective() {
		return effective;
	}

	List<SmartScope> notYetSupported() {
		return notYetSupported;
	}

}
