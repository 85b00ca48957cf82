package bench.suite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The cohort the suite loads: one transaction Bundle per patient
 * ({@code patient-00001.json}, entries {@code PUT Type/id}) and the same resources as
 * NDJSON ({@code <Type>.ndjson} and a {@code manifest.json} listing the files in load
 * order). Written by the jar's {@code generate} command when the jar has one; otherwise
 * by a stand-in that copies the published case once per patient under new ids and
 * identifiers, so that the harness can be run before the generator exists.
 */
final class Cohort {

	static final ObjectMapper JSON = new ObjectMapper();

	final Path bundles;

	final Path ndjson;

	/** "generator" or "stand-in (case report copied per patient)". */
	final String source;

	private Cohort(Path bundles, Path ndjson, String source) {
		this.bundles = bundles;
		this.ndjson = ndjson;
		this.source = source;
	}

	/** The jar's main class names the command: the generator is merged. */
	static boolean jarCanGenerate(Path jar) throws IOException {
		try (JarFile file = new JarFile(jar.toFile())) {
			var entry = file.getJarEntry("BOOT-INF/classes/org/hemefhir/HemeFhirApplication.class");
			if (entry == null) {
				return false;
			}
			try (InputStream in = file.getInputStream(entry)) {
				return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).contains("generate");
			}
		}
	}

	static Cohort generate(Path jar, Path basedir, int patients, Path out, Log log) throws Exception {
		Path bundles = out.resolve("cohort");
		Path ndjson = out.resolve("cohort-ndjson");
		deleteTree(bundles);
		deleteTree(ndjson);
		if (jarCanGenerate(jar)) {
			runGenerator(jar,
					List.of("--patients", String.valueOf(patients), "--seed", "42", "--out", bundles.toString()),
					out.resolve("generate.log"), log);
			runGenerator(jar, List.of("--patients", String.valueOf(patients), "--seed", "42", "--format", "ndjson",
					"--out", ndjson.toString()), out.resolve("generate-ndjson.log"), log);
			return new Cohort(bundles, ndjson, "generator (seed 42)");
		}
		log.info(
				"the jar has no generate command (branch gen not merged): stand-in cohort from sample-bundles/case-report");
		StandIn standIn = new StandIn(basedir.resolve("sample-bundles/case-report"));
		standIn.write(patients, bundles, ndjson);
		return new Cohort(bundles, ndjson, "stand-in: the case report copied per patient");
	}

	private static void runGenerator(Path jar, List<String> args, Path logFile, Log log) throws Exception {
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
						"generate"));
		command.addAll(args);
		log.info("running " + String.join(" ", command.subList(1, command.size())));
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(logFile.toFile())
			.start();
		if (!process.waitFor(2, TimeUnit.HOURS) || process.exitValue() != 0) {
			process.destroyForcibly();
			throw new IllegalStateException("generate failed; see " + logFile);
		}
	}

	/** The patient bundles in name order. */
	List<Path> bundleFiles() throws IOException {
		try (Stream<Path> files = Files.list(bundles)) {
			return files.filter(f -> f.getFileName().toString().matches("patient-\\d+\\.json")).sorted().toList();
		}
	}

	/**
	 * The NDJSON files in the manifest's load order (any string in it naming a .ndjson
	 * file).
	 */
	List<Path> ndjsonFiles() throws IOException {
		Set<String> names = new LinkedHashSet<>();
		collectNdjson(JSON.readTree(ndjson.resolve("manifest.json").toFile()), names);
		return names.stream().map(name -> ndjson.resolve(Path.of(name).getFileName().toString())).toList();
	}

	private static void collectNdjson(JsonNode node, Set<String> names) {
		if (node.isTextual() && node.asText().endsWith(".ndjson")) {
			names.add(node.asText());
		}
		node.forEach(child -> collectNdjson(child, names));
	}

	/**
	 * The resource type of an NDJSON file: its name, or its first line's resourceType.
	 */
	static String ndjsonType(Path file) throws IOException {
		String name = file.getFileName().toString().replace(".ndjson", "");
		if (name.matches("[A-Z][A-Za-z]+")) {
			return name;
		}
		try (var lines = Files.lines(file)) {
			return lines.findFirst().map(line -> {
				try {
					return JSON.readTree(line).path("resourceType").asText();
				}
				catch (IOException e) {
					return name;
				}
			}).orElse(name);
		}
	}

	/** The bundle with every meta.profile removed: what a stock server is given. */
	static String withoutProfiles(String bundle) throws IOException {
		JsonNode tree = JSON.readTree(bundle);
		for (JsonNode entry : tree.path("entry")) {
			JsonNode meta = entry.path("resource").path("meta");
			if (meta instanceof ObjectNode object) {
				object.remove("profile");
			}
		}
		return JSON.writeValueAsString(tree);
	}

	static void deleteTree(Path dir) throws IOException {
		if (Files.exists(dir)) {
			try (Stream<Path> walk = Files.walk(dir)) {
				for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
					Files.delete(p);
				}
			}
		}
	}

	/**
	 * Copies the six case bundles into one transaction per patient: every resource gets
	 * the id {@code p<nnnnn>-<n>} and {@code PUT}, every identifier value the suffix
	 * {@code -p<nnnnn>}, and every reference (urn:uuid or conditional by identifier) the
	 * new {@code Type/id}.
	 */
	static final class StandIn {

		private final List<JsonNode> entries = new ArrayList<>();

		StandIn(Path caseDir) throws IOException {
			try (Stream<Path> files = Files.list(caseDir)) {
				for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
					JSON.readTree(file.toFile()).path("entry").forEach(entries::add);
				}
			}
		}

		void write(int patients, Path bundleDir, Path ndjsonDir) throws IOException {
			Files.createDirectories(bundleDir);
			Files.createDirectories(ndjsonDir);
			Map<String, BufferedWriter> writers = new TreeMap<>();
			Map<String, Set<String>> dependsOn = new HashMap<>();
			try {
				for (int p = 1; p <= patients; p++) {
					String suffix = "p%05d".formatted(p);
					Map<String, String> references = new HashMap<>();
					List<ObjectNode> resources = new ArrayList<>();
					for (int i = 0; i < entries.size(); i++) {
						JsonNode entry = entries.get(i);
						ObjectNode resource = entry.path("resource").deepCopy();
						String type = resource.path("resourceType").asText();
						String id = suffix + "-" + i;
						references.put(entry.path("fullUrl").asText(), type + "/" + id);
						for (JsonNode identifier : identifiers(resource)) {
							String key = type + "?identifier=" + identifier.path("system").asText() + "|"
									+ identifier.path("value").asText();
							references.put(key, type + "/" + id);
							((ObjectNode) identifier).put("value", identifier.path("value").asText() + "-" + suffix);
						}
						resource.put("id", id);
						resources.add(resource);
					}
					ArrayNode bundleEntries = JSON.createArrayNode();
					for (ObjectNode resource : resources) {
						String type = resource.path("resourceType").asText();
						rewriteReferences(resource, references,
								dependsOn.computeIfAbsent(type, t -> new LinkedHashSet<>()));
						ObjectNode entry = bundleEntries.addObject();
						entry.set("resource", resource);
						entry.putObject("request")
							.put("method", "PUT")
							.put("url", type + "/" + resource.path("id").asText());
						BufferedWriter out = writers.get(type);
						if (out == null) {
							out = Files.newBufferedWriter(ndjsonDir.resolve(type + ".ndjson"));
							writers.put(type, out);
						}
						out.write(JSON.writeValueAsString(resource));
						out.newLine();
					}
					ObjectNode bundle = JSON.createObjectNode()
						.put("resourceType", "Bundle")
						.put("type", "transaction");
					bundle.set("entry", bundleEntries);
					JSON.writeValue(bundleDir.resolve("patient-%05d.json".formatted(p)).toFile(), bundle);
				}
			}
			finally {
				for (BufferedWriter out : writers.values()) {
					out.close();
				}
			}
			ObjectNode manifest = JSON.createObjectNode().put("source", "bench stand-in");
			ArrayNode files = manifest.putArray("files");
			for (String type : loadOrder(writers.keySet(), dependsOn)) {
				files.addObject().put("type", type).put("file", type + ".ndjson");
			}
			JSON.writeValue(ndjsonDir.resolve("manifest.json").toFile(), manifest);
		}

		private static List<JsonNode> identifiers(ObjectNode resource) {
			JsonNode identifier = resource.path("identifier");
			List<JsonNode> list = new ArrayList<>();
			if (identifier.isArray()) {
				identifier.forEach(list::add);
			}
			else if (identifier.isObject()) {
				list.add(identifier);
			}
			return list;
		}

		private static void rewriteReferences(JsonNode node, Map<String, String> references, Set<String> targets) {
			if (node instanceof ObjectNode object) {
				Map<String, String> replaced = new LinkedHashMap<>();
				for (Map.Entry<String, JsonNode> field : object.properties()) {
					if ("reference".equals(field.getKey()) && field.getValue().isTextual()) {
						String target = references.get(field.getValue().asText());
						if (target != null) {
							replaced.put(field.getKey(), target);
							targets.add(target.substring(0, target.indexOf('/')));
						}
					}
					else {
						rewriteReferences(field.getValue(), references, targets);
					}
				}
				replaced.forEach((key, value) -> object.set(key, TextNode.valueOf(value)));
			}
			else if (node.isArray()) {
				node.forEach(child -> rewriteReferences(child, references, targets));
			}
		}

		/**
		 * Types ordered so that a type comes after the types it references (cycles: as
		 * met).
		 */
		private static List<String> loadOrder(Set<String> types, Map<String, Set<String>> dependsOn) {
			List<String> order = new ArrayList<>();
			Set<String> visiting = new LinkedHashSet<>();
			for (String type : types) {
				visit(type, dependsOn, order, visiting);
			}
			return order;
		}

		private static void visit(String type, Map<String, Set<String>> dependsOn, List<String> order,
				Set<String> visiting) {
			if (order.contains(type) || !visiting.add(type)) {
				return;
			}
			for (String target : dependsOn.getOrDefault(type, Set.of())) {
				if (!target.equals(type)) {
					visit(target, dependsOn, order, visiting);
				}
			}
			order.add(type);
		}

	}

	interface Log {

		void info(String message);

	}

}
