package org.hemefhir.audit;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The FHIR interaction a request is, read from its method and path below {@code /fhir}
 * (so that requests refused before HAPI parsed them are named too), with the resource it
 * addresses and the patients it concerns as far as the request itself says.
 *
 * @param code a code of http://hl7.org/fhir/restful-interaction, or null outside the FHIR
 * API
 * @param action the AuditEvent action: C, R, U, D or E
 * @param resourceType the type addressed, or null
 * @param id the id addressed, or null
 * @param version the version of a vread, or null
 * @param operation the operation's name with its {@code $}, or null
 */
record Interaction(String code, String action, String resourceType, String id, String version, String operation) {

	static final String FHIR = "/fhir";

	/** Search parameters that name the patient a search is about. */
	private static final Set<String> PATIENT_PARAMETERS = Set.of("patient", "subject", "patient:Patient",
			"subject:Patient");

	static Interaction classify(String method, String path) {
		if (path == null || !(path.equals(FHIR) || path.startsWith(FHIR + "/"))) {
			return new Interaction(null, "E", null, null, null, null);
		}
		List<String> parts = new ArrayList<>();
		for (String part : path.substring(FHIR.length()).split("/")) {
			if (!part.isEmpty()) {
				// the path as sent: clients encode $ as %24
				parts.add(decode(part.replace("+", "%2B")));
			}
		}
		String m = method == null ? "GET" : method;
		int n = parts.size();
		String last = n == 0 ? "" : parts.get(n - 1);
		if (last.startsWith("$")) {
			return new Interaction("operation", "E", n >= 2 ? parts.get(0) : null, n == 3 ? parts.get(1) : null, null,
					last);
		}
		if (n == 0) {
			return m.equals("POST") ? of("transaction", null, null) : of("search-system", null, null);
		}
		String first = parts.get(0);
		if (n == 1) {
			switch (first) {
				case "metadata":
					return of("capabilities", null, null);
				case "_history":
					return of("history-system", null, null);
				case "_search":
					return of("search-system", null, null);
				default:
					break;
			}
			return switch (m) {
				case "POST" -> of("create", first, null);
				case "PUT" -> of("update", first, null);
				case "PATCH" -> of("patch", first, null);
				case "DELETE" -> of("delete", first, null);
				default -> of("search-type", first, null);
			};
		}
		String second = parts.get(1);
		if (n == 2 && second.equals("_search")) {
			return of("search-type", first, null);
		}
		if (n == 2 && second.equals("_history")) {
			return of("history-type", first, null);
		}
		if (n == 2) {
			return switch (m) {
				case "PUT" -> of("update", first, second);
				case "PATCH" -> of("patch", first, second);
				case "DELETE" -> of("delete", first, second);
				default -> of("read", first, second);
			};
		}
		if (parts.get(2).equals("_history")) {
			return n == 3 ? of("history-instance", first, second)
					: new Interaction("vread", "R", first, second, parts.get(3), null);
		}
		// a compartment search: Patient/1/Observation
		return new Interaction("search-type", "E", first, second, null, null);
	}

	private static Interaction of(String code, String resourceType, String id) {
		return new Interaction(code, action(code), resourceType, id, null, null);
	}

	static String action(String code) {
		return switch (code) {
			case "create" -> "C";
			case "read", "vread", "history-instance", "history-type", "history-system" -> "R";
			case "update", "patch" -> "U";
			case "delete" -> "D";
			default -> "E";
		};
	}

	Interaction as(String otherCode) {
		return new Interaction(otherCode, action(otherCode), resourceType, id, version, operation);
	}

	/**
	 * The patients the request names: the Patient it addresses (also as a compartment or
	 * {@code Patient/[id]/$everything}) and the {@code patient}/{@code subject}
	 * parameters of its query. Best effort: a read of an Observation does not name its
	 * patient.
	 */
	Set<String> patients(String query) {
		Set<String> patients = new LinkedHashSet<>();
		if ("Patient".equals(resourceType) && id != null) {
			patients.add(id);
		}
		if (query != null) {
			for (String pair : query.split("&")) {
				int eq = pair.indexOf('=');
				if (eq <= 0) {
					continue;
				}
				String name = decode(pair.substring(0, eq));
				if (!PATIENT_PARAMETERS.contains(name) && !("Patient".equals(resourceType) && name.equals("_id"))) {
					continue;
				}
				for (String value : decode(pair.substring(eq + 1)).split(",")) {
					String v = value.trim();
					if (v.startsWith("Patient/")) {
						v = v.substring("Patient/".length());
					}
					if (v.matches("[A-Za-z0-9\\-.]{1,64}") && patients.size() < 20) {
						patients.add(v);
					}
				}
			}
		}
		return patients;
	}

	private static String decode(String text) {
		try {
			return URLDecoder.decode(text, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException e) {
			return text;
		}
	}

}
