package org.hemefhir.security;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SMART on FHIR resource scope, v2
 * ({@code system/Observation.rs?category=laboratory}) or v1 ({@code user/Patient.read}),
 * as the interactions it grants.
 *
 * @param context whose data: {@code patient}, {@code user} or {@code system}
 * @param resourceType a resource type, or {@code *}
 * @param interactions what it allows on that type
 * @param restriction the v2 search-parameter restriction after {@code ?}, or null
 */
public record SmartScope(Context context, String resourceType, Set<Interaction> interactions, String restriction) {

	public enum Context {

		PATIENT, USER, SYSTEM

	}

	/** The SMART v2 permissions, in the order the grammar requires them. */
	public enum Interaction {

		CREATE('c'), READ('r'), UPDATE('u'), DELETE('d'), SEARCH('s');

		final char letter;

		Interaction(char letter) {
			this.letter = letter;
		}

	}

	private static final Pattern SCOPE = Pattern
		.compile("(patient|user|system)/(\\*|[A-Z][A-Za-z]{1,63})\\.([a-z*]{1,5})(?:\\?(\\S+))?");

	/**
	 * The scope, if the string is a resource scope; other scopes (openid, launch, ...)
	 * are not.
	 */
	public static Optional<SmartScope> parse(String scope) {
		Matcher m = SCOPE.matcher(scope);
		if (!m.matches()) {
			return Optional.empty();
		}
		Set<Interaction> interactions = permissions(m.group(3));
		if (interactions == null || (m.group(4) != null && !isV2(m.group(3)))) {
			return Optional.empty();
		}
		return Optional.of(new SmartScope(Context.valueOf(m.group(1).toUpperCase(java.util.Locale.ROOT)), m.group(2),
				interactions, m.group(4)));
	}

	public boolean covers(String type, Interaction interaction) {
		return (resourceType.equals("*") || resourceType.equals(type)) && interactions.contains(interaction);
	}

	private static boolean isV2(String permissions) {
		return permissions.chars().allMatch(c -> "cruds".indexOf(c) >= 0);
	}

	/**
	 * v1 read/write/*, or v2 letters in c-r-u-d-s order without repeats; null if neither.
	 */
	private static Set<Interaction> permissions(String text) {
		switch (text) {
			case "read":
				return EnumSet.of(Interaction.READ, Interaction.SEARCH);
			case "write":
				return EnumSet.of(Interaction.CREATE, Interaction.UPDATE, Interaction.DELETE);
			case "*":
				return EnumSet.allOf(Interaction.class);
			default:
				Set<Interaction> granted = EnumSet.noneOf(Interaction.class);
				int next = 0;
				for (char c : text.toCharArray()) {
					int at = next;
					Interaction[] all = Interaction.values();
					while (at < all.length && all[at].letter != c) {
						at++;
					}
					if (at == all.length) {
						return null;
					}
					granted.add(all[at]);
					next = at + 1;
				}
				return granted;
		}
	}

}
