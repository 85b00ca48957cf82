package org.hemefhir.security;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
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

	/**
	 * The audit trail: a wildcard scope does not reach it, only a scope that names the
	 * type, and no scope writes it (only the server itself, and {@code hemefhir/admin}).
	 */
	static final Set<String> AUDIT_TYPES = Set.of("AuditEvent");

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
		return Optional.of(new SmartScope(Context.valueOf(m.group(1).toUpperCase(Locale.ROOT)), m.group(2),
				interactions, m.group(4)));
	}

	/**
	 * Whether the scope grants the interaction on the type (for some of its resources, if
	 * restricted). {@code *} stops short of the audit trail, and nothing writes it.
	 */
	public boolean covers(String type, Interaction interaction) {
		if (AUDIT_TYPES.contains(type)) {
			return resourceType.equals(type) && (interaction == Interaction.READ || interaction == Interaction.SEARCH)
					&& interactions.contains(interaction);
		}
		return (resourceType.equals("*") || resourceType.equals(type)) && interactions.contains(interaction);
	}

	/**
	 * A v2 scope with search parameters after {@code ?}: only the resources they match.
	 */
	public boolean restricted() {
		return restriction != null;
	}

	/**
	 * The restriction as search parameters (names and values URL-decoded), in their
	 * order; empty without one.
	 */
	public Map<String, List<String>> restrictionParameters() {
		Map<String, List<String>> parameters = new LinkedHashMap<>();
		if (restriction != null) {
			for (String pair : restriction.split("&")) {
				int eq = pair.indexOf('=');
				String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
				String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
				parameters.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
			}
		}
		return parameters;
	}

	@Override
	public String toString() {
		return context.name().toLowerCase(Locale.ROOT) + "/" + resourceType + "."
				+ interactions.stream().map(i -> String.valueOf(i.letter)).collect(Collectors.joining())
				+ (restriction == null ? "" : "?" + restriction);
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
