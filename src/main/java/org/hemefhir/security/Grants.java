package org.hemefhir.security;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.hemefhir.security.SmartScope.Context;
import org.hemefhir.security.SmartScope.Interaction;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * What one token's scopes allow. {@code system/} and {@code user/} scopes apply to all
 * data; {@code patient/} scopes to the compartment of the token's {@code patient} claim
 * (without that claim they grant nothing). A v2 scope with a search restriction
 * ({@code ?category=laboratory}) grants its interactions on the resources the restriction
 * matches only, and no export. AuditEvent is reached only by scopes that name it, and
 * written by none ({@link SmartScope#covers}). {@link #DEIDENTIFIED_EXPORT_SCOPE} turns
 * the read scopes into the right to a de-identified export of those types, and nothing
 * else.
 */
public final class Grants {

	/** Administrative operations (reindexing, expunge) need this scope in addition. */
	public static final String ADMIN_SCOPE = "hemefhir/admin";

	/** Lets {@code $validate} be the only thing a validator client may do. */
	public static final String VALIDATE_SCOPE = "hemefhir/validate";

	/**
	 * With read scopes ({@code system/*.rs}): {@code $export} of the types they cover,
	 * with {@code _deidentify=true} only; no read or search.
	 */
	public static final String DEIDENTIFIED_EXPORT_SCOPE = "hemefhir/export.deidentified";

	private final List<SmartScope> effective = new ArrayList<>();

	private final List<SmartScope> inCompartment = new ArrayList<>();

	private final List<SmartScope> ignored = new ArrayList<>();

	private final boolean admin;

	private final boolean validator;

	private final boolean deidentifiedOnly;

	private final String patient;

	private Grants(Collection<String> scopes, String patient) {
		this.patient = patient == null || patient.isBlank() ? null : patient;
		boolean admin = false;
		boolean validator = false;
		boolean deidentifiedOnly = false;
		for (String scope : scopes) {
			admin |= ADMIN_SCOPE.equals(scope);
			validator |= VALIDATE_SCOPE.equals(scope);
			deidentifiedOnly |= DEIDENTIFIED_EXPORT_SCOPE.equals(scope);
			SmartScope.parse(scope).ifPresent(s -> {
				if (s.context() == Context.PATIENT && this.patient == null) {
					ignored.add(s);
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
		this.deidentifiedOnly = deidentifiedOnly && !admin;
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

	/**
	 * FHIR Bulk Data {@code $import}: create and update of every type, for all data,
	 * without a restriction ({@code system/*.cu}, {@code .cud}, {@code .write},
	 * {@code .*}). An import file may hold any type whatever its declared one, and the
	 * job stores as the server, so nothing narrower can be enforced.
	 */
	public boolean bulkImport() {
		return allowsAll("*", Interaction.CREATE) && allowsAll("*", Interaction.UPDATE);
	}

	/**
	 * The interaction on the type, for all data or within the patient's compartment, on
	 * all resources or on those a restriction matches.
	 */
	public boolean allows(String resourceType, Interaction interaction) {
		return !deidentifiedOnly && (allowsEverywhere(resourceType, interaction)
				|| inCompartment.stream().anyMatch(s -> s.covers(resourceType, interaction)));
	}

	/**
	 * The interaction on the type, for all data (all of it, or what a restriction
	 * matches).
	 */
	public boolean allowsEverywhere(String resourceType, Interaction interaction) {
		return !deidentifiedOnly && effective.stream().anyMatch(s -> s.covers(resourceType, interaction));
	}

	/**
	 * The interaction on every resource of the type, by a scope without a restriction.
	 */
	public boolean allowsAll(String resourceType, Interaction interaction) {
		return !deidentifiedOnly && unrestricted(effective, resourceType, interaction);
	}

	/**
	 * The types, of those given, a bulk export may hold: read and search of all their
	 * resources, for all data ({@code compartment} false) or in the patient's
	 * compartment.
	 */
	Set<String> exportable(Collection<String> types, boolean compartment) {
		List<SmartScope> scopes = compartment ? inCompartment : effective;
		Set<String> exportable = new TreeSet<>();
		for (String type : types) {
			if (unrestricted(scopes, type, Interaction.READ) && unrestricted(scopes, type, Interaction.SEARCH)) {
				exportable.add(type);
			}
		}
		return exportable;
	}

	private static boolean unrestricted(List<SmartScope> scopes, String type, Interaction interaction) {
		return scopes.stream().anyMatch(s -> !s.restricted() && s.covers(type, interaction));
	}

	/** The id of the patient whose compartment the patient scopes open, or null. */
	String patient() {
		return patient;
	}

	List<SmartScope> inCompartment() {
		return deidentifiedOnly ? List.of() : inCompartment;
	}

	public boolean admin() {
		return admin;
	}

	public boolean validator() {
		return validator;
	}

	/** Only a de-identified export: no read, search, write or other operation. */
	public boolean deidentifiedOnly() {
		return deidentifiedOnly;
	}

	List<SmartScope> effective() {
		return deidentifiedOnly ? List.of() : effective;
	}

	/** Patient scopes without a patient claim: they grant nothing. */
	List<SmartScope> ignored() {
		return ignored;
	}

}
