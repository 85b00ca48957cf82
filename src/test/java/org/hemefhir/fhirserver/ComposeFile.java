package org.hemefhir.fhirserver;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/** The deployment in {@code compose.yaml}, read as the tests use it. */
final class ComposeFile {

	static final Path FILE = Path.of("compose.yaml");

	/** {@code ${NAME:?message}} or {@code ${NAME:-default}}: compose's interpolation. */
	private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z_]+)(?::[?-][^}]*)?}");

	private final Map<String, Object> root;

	private ComposeFile(Map<String, Object> root) {
		this.root = root;
	}

	static ComposeFile read() throws IOException {
		try (Reader reader = Files.newBufferedReader(FILE)) {
			return new ComposeFile(new Yaml().load(reader));
		}
	}

	@SuppressWarnings("unchecked")
	Map<String, Object> service(String name) {
		return (Map<String, Object>) ((Map<String, Object>) root.get("services")).get(name);
	}

	/**
	 * A service's environment with each {@code ${NAME…}} replaced from {@code values}
	 * (which must hold every one used).
	 */
	@SuppressWarnings("unchecked")
	Map<String, String> environment(String service, Map<String, String> values) {
		Map<String, String> environment = new LinkedHashMap<>();
		((Map<String, Object>) service(service).get("environment")).forEach((name, value) -> {
			Matcher variable = VARIABLE.matcher(String.valueOf(value));
			environment.put(name, variable.replaceAll(m -> {
				String given = values.get(m.group(1));
				if (given == null) {
					throw new IllegalArgumentException("No test value for " + m.group(1) + " in " + name);
				}
				return Matcher.quoteReplacement(given);
			}));
		});
		return environment;
	}

	@SuppressWarnings("unchecked")
	String config(String name) {
		return (String) ((Map<String, Object>) ((Map<String, Object>) root.get("configs")).get(name)).get("content");
	}

}
