package org.hemefhir.ig.build;

import org.hemefhir.validation.HemeFhirIg;
import ca.uhn.fhir.context.FhirContext;
import org.hemefhir.validation.IgPackage;
import org.hemefhir.validation.ProfileInference;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.ElementDefinition;
import org.hl7.fhir.r4.model.SearchParameter;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.ValueSet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Writes the implementation guide as static HTML: an index plus one page per profile,
 * extension, value set and code system, all generated from the package's resources
 * (profile pages from the snapshots), with the examples as JSON beside them. Every text
 * from a resource is HTML-escaped.
 */
public final class IgSiteGenerator {

	/** Codes shown inline in a binding cell; the value set page has them all. */
	private static final int INLINE_CODES = 12;

	private static final String CORE_STRUCTURE_DEFINITION = "http://hl7.org/fhir/StructureDefinition/";

	private static final String STYLE = """
			body{font-family:system-ui,sans-serif;margin:2em auto;max-width:80em;padding:0 1em;color:#222}
			table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
			th{background:#f0f0f0}tr.constrained td:first-child{font-weight:bold}tr.prohibited{color:#999}
			code{font-size:90%}pre{background:#f6f6f6;padding:.5em;overflow-x:auto}.muted{color:#666}""";

	private final FhirContext ctx;

	private final IgPackage ig;

	private final Map<String, StructureDefinition> structures = new LinkedHashMap<>();

	private final Map<String, ValueSet> valueSets = new LinkedHashMap<>();

	private final Map<String, CodeSystem> codeSystems = new LinkedHashMap<>();

	private final List<SearchParameter> searchParameters = new ArrayList<>();

	private final Map<String, List<IBaseResource>> examplesByProfile = new LinkedHashMap<>();

	public IgSiteGenerator(FhirContext ctx, IgPackage ig) {
		this.ctx = ctx;
		this.ig = ig;
		for (IBaseResource r : ig.conformance()) {
			if (r instanceof StructureDefinition sd) {
				structures.put(sd.getUrl(), sd);
			}
			else if (r instanceof ValueSet vs) {
				valueSets.put(vs.getUrl(), vs);
			}
			else if (r instanceof CodeSystem cs) {
				codeSystems.put(cs.getUrl(), cs);
			}
			else if (r instanceof SearchParameter sp) {
				searchParameters.add(sp);
			}
		}
		// examples declare no profile: they are matched the way the validator matches
		// data
		ProfileInference inference = new ProfileInference(ig.conformance());
		for (IBaseResource example : ig.examples()) {
			List<String> profiles = example.getMeta().getProfile().stream().map(p -> p.getValue()).toList();
			if (profiles.isEmpty()) {
				profiles = inference.inferProfile(example).map(List::of).orElse(List.of());
			}
			for (String profile : profiles) {
				examplesByProfile.computeIfAbsent(profile, k -> new ArrayList<>()).add(example);
			}
		}
	}

	/**
	 * Writes the site into {@code dir} (created if needed); {@code packageTgz} is offered
	 * for download.
	 */
	public void write(Path dir, byte[] packageTgz) throws IOException {
		deleteTree(dir); // no page of a removed resource survives
		Files.createDirectories(dir.resolve("examples"));
		writeFile(dir.resolve(packageFileName()), packageTgz);
		for (IBaseResource example : ig.examples()) {
			writeFile(dir.resolve(exampleHref(example)),
					ctx.newJsonParser()
						.setPrettyPrint(true)
						.encodeResourceToString(example)
						.getBytes(StandardCharsets.UTF_8));
		}
		page(dir, "index.html", "HemeFHIR Implementation Guide", index());
		for (StructureDefinition sd : structures.values()) {
			page(dir, href(sd), title(sd.getTitle(), sd.getName()), structure(sd));
		}
		for (ValueSet vs : valueSets.values()) {
			page(dir, href(vs), title(vs.getTitle(), vs.getName()), valueSet(vs));
		}
		for (CodeSystem cs : codeSystems.values()) {
			page(dir, href(cs), title(cs.getTitle(), cs.getName()), codeSystem(cs));
		}
	}

	private String packageFileName() {
		return ig.name() + "-" + ig.version() + ".tgz";
	}

	// ---- pages

	private String index() {
		StringBuilder h = new StringBuilder();
		h.append("<p>")
			.append(esc(ig.name()))
			.append(" version ")
			.append(esc(ig.version()))
			.append(", FHIR R4 (")
			.append(esc(HemeFhirIg.FHIR_VERSION))
			.append("), canonical base <code>")
			.append(esc(HemeFhirIg.CANONICAL_BASE))
			.append("</code>. Package: <a href=\"")
			.append(attr(packageFileName()))
			.append("\">")
			.append(esc(packageFileName()))
			.append("</a>.</p>\n");
		h.append(
				"<p class=\"muted\">Generated from the package's StructureDefinitions, ValueSets and CodeSystems.</p>\n");
		h.append("<h2>Profiles</h2>\n");
		definitionTable(h, structures.values().stream().filter(sd -> !isExtension(sd)).toList());
		h.append("<h2>Extensions</h2>\n");
		definitionTable(h, structures.values().stream().filter(IgSiteGenerator::isExtension).toList());
		h.append("<h2>Value sets</h2>\n<table><tr><th>Value set</th><th>URL</th><th>Description</th></tr>\n");
		for (ValueSet vs : valueSets.values()) {
			h.append("<tr><td>")
				.append(link(href(vs), title(vs.getTitle(), vs.getName())))
				.append("</td><td><code>")
				.append(esc(vs.getUrl()))
				.append("</code></td><td>")
				.append(esc(vs.getDescription()))
				.append("</td></tr>\n");
		}
		h.append(
				"</table>\n<h2>Code systems</h2>\n<table><tr><th>Code system</th><th>URL</th><th>Concepts</th></tr>\n");
		for (CodeSystem cs : codeSystems.values()) {
			h.append("<tr><td>")
				.append(link(href(cs), title(cs.getTitle(), cs.getName())))
				.append("</td><td><code>")
				.append(esc(cs.getUrl()))
				.append("</code></td><td>")
				.append(cs.getConcept().size())
				.append("</td></tr>\n");
		}
		h.append(
				"</table>\n<h2>Search parameters</h2>\n<table><tr><th>Code</th><th>Base</th><th>Type</th><th>Expression</th><th>Description</th></tr>\n");
		for (SearchParameter sp : searchParameters) {
			h.append("<tr><td><code>")
				.append(esc(sp.getCode()))
				.append("</code></td><td>")
				.append(esc(sp.getBase().stream().map(b -> b.getCode()).collect(Collectors.joining(", "))))
				.append("</td><td>")
				.append(esc(sp.getType() == null ? "" : sp.getType().toCode()))
				.append("</td><td><code>")
				.append(esc(sp.getExpression()))
				.append("</code></td><td>")
				.append(esc(sp.getDescription()))
				.append("</td></tr>\n");
		}
		h.append("</table>\n<h2>Examples</h2>\n<ul>\n");
		for (IBaseResource example : ig.examples()) {
			h.append("<li>")
				.append(link(exampleHref(example), exampleHref(example).substring("examples/".length())))
				.append("</li>\n");
		}
		return h.append("</ul>\n").toString();
	}

	private void definitionTable(StringBuilder h, List<StructureDefinition> list) {
		h.append("<table><tr><th>Name</th><th>Base</th><th>URL</th><th>Description</th></tr>\n");
		for (StructureDefinition sd : list) {
			h.append("<tr><td>")
				.append(link(href(sd), title(sd.getTitle(), sd.getName())))
				.append("</td><td>")
				.append(esc(sd.getType()))
				.append("</td><td><code>")
				.append(esc(sd.getUrl()))
				.append("</code></td><td>")
				.append(esc(sd.getDescription()))
				.append("</td></tr>\n");
		}
		h.append("</table>\n");
	}

	private String structure(StructureDefinition sd) {
		StringBuilder h = new StringBuilder();
		h.append("<p>").append(esc(sd.getDescription())).append("</p>\n<table>\n");
		row(h, "Canonical URL", "<code>" + esc(sd.getUrl()) + "</code>");
		row(h, "Version", esc(sd.getVersion()));
		row(h, "Status", esc(sd.getStatus() == null ? "" : sd.getStatus().toCode()));
		row(h, "Kind", esc(isExtension(sd) ? "extension" : "profile of " + sd.getType()));
		row(h, "Base definition", canonicalLink(sd.getBaseDefinition()));
		if (isExtension(sd) && sd.hasContext()) {
			row(h, "Used on",
					esc(sd.getContext().stream().map(c -> c.getExpression()).collect(Collectors.joining(", "))));
		}
		h.append("</table>\n");

		Set<String> constrained = sd.getDifferential()
			.getElement()
			.stream()
			.map(ElementDefinition::getId)
			.collect(Collectors.toSet());
		h.append("<h2>Elements</h2>\n<p class=\"muted\">The snapshot: every element of the resource as this ")
			.append(isExtension(sd) ? "extension" : "profile")
			.append(" defines it. Bold rows are constrained here (the differential); grey rows are not allowed (0..0).</p>\n");
		h.append(
				"<table><tr><th>Element</th><th>Card.</th><th>Type</th><th>Binding / fixed value</th><th>Description</th><th>Constraints</th></tr>\n");
		for (ElementDefinition e : sd.getSnapshot().getElement()) {
			String css = constrained.contains(e.getId()) ? "constrained" : "0".equals(e.getMax()) ? "prohibited" : "";
			h.append("<tr class=\"")
				.append(css)
				.append("\"><td><code>")
				.append(esc(e.getId()))
				.append("</code>")
				.append(e.getMustSupport() ? " <abbr title=\"must support\">S</abbr>" : "")
				.append(e.getIsModifier() ? " <abbr title=\"modifier\">?!</abbr>" : "")
				.append("</td><td>")
				.append(esc(e.getMin() + ".." + e.getMax()))
				.append("</td><td>")
				.append(types(e))
				.append("</td><td>")
				.append(bindingAndValues(e))
				.append("</td><td>")
				.append(esc(e.getShort()))
				.append("</td><td>")
				.append(constraints(e))
				.append("</td></tr>\n");
		}
		h.append("</table>\n");

		Set<String> extensions = new TreeSet<>();
		for (ElementDefinition e : sd.getSnapshot().getElement()) {
			for (ElementDefinition.TypeRefComponent t : e.getType()) {
				if ("Extension".equals(t.getCode())) {
					t.getProfile().forEach(p -> extensions.add(p.getValue()));
				}
			}
		}
		if (!extensions.isEmpty()) {
			h.append("<h2>Extensions used</h2>\n<ul>\n");
			extensions.forEach(url -> h.append("<li>").append(canonicalLink(url)).append("</li>\n"));
			h.append("</ul>\n");
		}
		if (isExtension(sd)) {
			List<StructureDefinition> users = structures.values()
				.stream()
				.filter(other -> !isExtension(other) && usesExtension(other, sd.getUrl()))
				.toList();
			h.append("<h2>Used by profiles</h2>\n<ul>\n");
			users.forEach(
					u -> h.append("<li>").append(link(href(u), title(u.getTitle(), u.getName()))).append("</li>\n"));
			h.append("</ul>\n");
		}
		else {
			h.append("<h2>Examples</h2>\n<ul>\n");
			for (IBaseResource example : examplesByProfile.getOrDefault(sd.getUrl(), List.of())) {
				h.append("<li>")
					.append(link(exampleHref(example), exampleHref(example).substring("examples/".length())))
					.append("</li>\n");
			}
			h.append("</ul>\n");
		}
		return h.toString();
	}

	private String valueSet(ValueSet vs) {
		StringBuilder h = new StringBuilder();
		h.append("<p>").append(esc(vs.getDescription())).append("</p>\n<table>\n");
		row(h, "Canonical URL", "<code>" + esc(vs.getUrl()) + "</code>");
		row(h, "Version", esc(vs.getVersion()));
		h.append("</table>\n");
		h.append("<h2>Codes</h2>\n<table><tr><th>Rule</th><th>System</th><th>Code</th><th>Display</th></tr>\n");
		for (String[] code : codes(vs)) {
			h.append("<tr><td>")
				.append(esc(code[0]))
				.append("</td><td>")
				.append(canonicalLink(code[1]))
				.append("</td><td><code>")
				.append(esc(code[2]))
				.append("</code></td><td>")
				.append(esc(code[3]))
				.append("</td></tr>\n");
		}
		h.append("</table>\n");
		return h.toString();
	}

	private String codeSystem(CodeSystem cs) {
		StringBuilder h = new StringBuilder();
		h.append("<p>").append(esc(cs.getDescription())).append("</p>\n<table>\n");
		row(h, "Canonical URL", "<code>" + esc(cs.getUrl()) + "</code>");
		row(h, "Version", esc(cs.getVersion()));
		row(h, "Content", esc(cs.getContent() == null ? "" : cs.getContent().toCode()));
		h.append("</table>\n<h2>Concepts</h2>\n<table><tr><th>Code</th><th>Display</th><th>Definition</th></tr>\n");
		appendConcepts(h, cs.getConcept(), "");
		h.append("</table>\n");
		return h.toString();
	}

	private static void appendConcepts(StringBuilder h, List<CodeSystem.ConceptDefinitionComponent> concepts,
			String indent) {
		for (CodeSystem.ConceptDefinitionComponent c : concepts) {
			h.append("<tr><td>")
				.append(indent)
				.append("<code>")
				.append(esc(c.getCode()))
				.append("</code></td><td>")
				.append(esc(c.getDisplay()))
				.append("</td><td>")
				.append(esc(c.getDefinition()))
				.append("</td></tr>\n");
			appendConcepts(h, c.getConcept(), indent + "&nbsp;&nbsp;");
		}
	}

	// ---- cells

	private String types(ElementDefinition e) {
		List<String> out = new ArrayList<>();
		for (ElementDefinition.TypeRefComponent t : e.getType()) {
			StringBuilder s = new StringBuilder(esc(t.getCode()));
			List<String> profiles = new ArrayList<>();
			t.getProfile().forEach(p -> profiles.add(canonicalLink(p.getValue())));
			t.getTargetProfile().forEach(p -> profiles.add(canonicalLink(p.getValue())));
			if (!profiles.isEmpty()) {
				s.append("(").append(String.join(" | ", profiles)).append(")");
			}
			out.add(s.toString());
		}
		if (e.hasContentReference()) {
			out.add("see <code>" + esc(e.getContentReference()) + "</code>");
		}
		return String.join("<br>", out);
	}

	private String bindingAndValues(ElementDefinition e) {
		StringBuilder s = new StringBuilder();
		if (e.hasBinding() && e.getBinding().hasValueSet()) {
			String url = e.getBinding().getValueSet();
			s.append("<b>")
				.append(esc(e.getBinding().getStrength() == null ? "" : e.getBinding().getStrength().toCode()))
				.append("</b> ")
				.append(canonicalLink(url));
			ValueSet vs = valueSets.get(stripVersion(url));
			if (vs != null) {
				List<String[]> codes = codes(vs);
				s.append("<br><span class=\"muted\">");
				s.append(codes.stream()
					.limit(INLINE_CODES)
					.map(c -> "<code>" + esc(c[2]) + "</code>" + (c[3].isEmpty() ? "" : " " + esc(c[3])))
					.collect(Collectors.joining("; ")));
				if (codes.size() > INLINE_CODES) {
					s.append("; … ").append(codes.size() - INLINE_CODES).append(" more");
				}
				s.append("</span>");
			}
		}
		if (e.hasFixed()) {
			s.append(s.isEmpty() ? "" : "<br>")
				.append("fixed: <code>")
				.append(esc(value(e.getFixed())))
				.append("</code>");
		}
		if (e.hasPattern()) {
			s.append(s.isEmpty() ? "" : "<br>")
				.append("pattern: <code>")
				.append(esc(value(e.getPattern())))
				.append("</code>");
		}
		return s.toString();
	}

	private static String constraints(ElementDefinition e) {
		return e.getConstraint()
			.stream()
			.filter(c -> c.getSource() == null || !c.getSource().startsWith("http://hl7.org/fhir/StructureDefinition/"))
			.map(c -> "<b>" + esc(c.getKey()) + "</b> " + esc(c.getHuman()) + "<br><code>" + esc(c.getExpression())
					+ "</code>")
			.collect(Collectors.joining("<br>"));
	}

	private String value(org.hl7.fhir.r4.model.Type value) {
		return value.isPrimitive() ? value.primitiveValue() : ctx.newJsonParser().encodeToString(value);
	}

	/**
	 * Rows of {rule, system, code, display} from the compose: enumerated concepts, whole
	 * systems, filters.
	 */
	private List<String[]> codes(ValueSet vs) {
		List<String[]> rows = new ArrayList<>();
		addCodes(rows, "include", vs.getCompose().getInclude());
		addCodes(rows, "exclude", vs.getCompose().getExclude());
		return rows;
	}

	private void addCodes(List<String[]> rows, String rule, List<ValueSet.ConceptSetComponent> sets) {
		for (ValueSet.ConceptSetComponent set : sets) {
			String system = set.getSystem() == null ? "" : set.getSystem();
			for (ValueSet.ConceptReferenceComponent c : set.getConcept()) {
				String display = c.hasDisplay() ? c.getDisplay() : displayFromCodeSystem(system, c.getCode());
				rows.add(new String[] { rule, system, c.getCode(), display });
			}
			for (ValueSet.ConceptSetFilterComponent f : set.getFilter()) {
				rows.add(new String[] { rule + " where", system,
						f.getProperty() + " " + (f.getOp() == null ? "" : f.getOp().toCode()) + " " + f.getValue(),
						"" });
			}
			if (!set.hasConcept() && !set.hasFilter() && !system.isEmpty()) {
				CodeSystem cs = codeSystems.get(system);
				if (cs != null) {
					cs.getConcept()
						.forEach(c -> rows.add(new String[] { rule, system, c.getCode(), nonNull(c.getDisplay()) }));
				}
				else {
					rows.add(new String[] { rule, system, "(all codes)", "" });
				}
			}
			for (CanonicalType other : set.getValueSet()) {
				rows.add(new String[] { rule + " value set", other.getValue(), "", "" });
			}
		}
	}

	private String displayFromCodeSystem(String system, String code) {
		CodeSystem cs = codeSystems.get(system);
		if (cs == null) {
			return "";
		}
		return cs.getConcept()
			.stream()
			.filter(c -> code.equals(c.getCode()))
			.map(c -> nonNull(c.getDisplay()))
			.findFirst()
			.orElse("");
	}

	// ---- links and helpers

	private String canonicalLink(String url) {
		if (url == null || url.isEmpty()) {
			return "";
		}
		String bare = stripVersion(url);
		String local = structures.containsKey(bare) ? href(structures.get(bare)) : valueSets.containsKey(bare)
				? href(valueSets.get(bare)) : codeSystems.containsKey(bare) ? href(codeSystems.get(bare)) : null;
		if (local != null) {
			return link(local, bare.substring(bare.lastIndexOf('/') + 1));
		}
		if (bare.startsWith(CORE_STRUCTURE_DEFINITION)) {
			return "<code title=\"" + attr(url) + "\">" + esc(bare.substring(CORE_STRUCTURE_DEFINITION.length()))
					+ "</code>";
		}
		return "<code>" + esc(url) + "</code>";
	}

	private static boolean usesExtension(StructureDefinition sd, String extensionUrl) {
		return sd.getSnapshot()
			.getElement()
			.stream()
			.flatMap(e -> e.getType().stream())
			.flatMap(t -> t.getProfile().stream())
			.anyMatch(p -> extensionUrl.equals(stripVersion(p.getValue())));
	}

	private static boolean isExtension(StructureDefinition sd) {
		return "Extension".equals(sd.getType());
	}

	static String href(StructureDefinition sd) {
		return "StructureDefinition-" + sd.getIdElement().getIdPart() + ".html";
	}

	static String href(ValueSet vs) {
		return "ValueSet-" + vs.getIdElement().getIdPart() + ".html";
	}

	static String href(CodeSystem cs) {
		return "CodeSystem-" + cs.getIdElement().getIdPart() + ".html";
	}

	private String exampleHref(IBaseResource example) {
		return "examples/" + ctx.getResourceType(example) + "-" + example.getIdElement().getIdPart() + ".json";
	}

	private static String stripVersion(String url) {
		int bar = url.indexOf('|');
		return bar < 0 ? url : url.substring(0, bar);
	}

	private static String title(String title, String name) {
		return title != null && !title.isBlank() ? title : nonNull(name);
	}

	private static void row(StringBuilder h, String label, String html) {
		h.append("<tr><th>").append(esc(label)).append("</th><td>").append(html).append("</td></tr>\n");
	}

	private static String link(String href, String text) {
		return "<a href=\"" + attr(href) + "\">" + esc(text) + "</a>";
	}

	private static String nonNull(String s) {
		return s == null ? "" : s;
	}

	/** Escapes text for HTML element content and attribute values. */
	static String esc(String text) {
		if (text == null) {
			return "";
		}
		StringBuilder out = new StringBuilder(text.length());
		for (char c : text.toCharArray()) {
			switch (c) {
				case '&' -> out.append("&amp;");
				case '<' -> out.append("&lt;");
				case '>' -> out.append("&gt;");
				case '"' -> out.append("&quot;");
				case '\'' -> out.append("&#39;");
				default -> out.append(c);
			}
		}
		return out.toString();
	}

	private static String attr(String text) {
		return esc(text);
	}

	private static void page(Path dir, String file, String title, String body) throws IOException {
		String html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title)
				+ " – HemeFHIR</title>\n<style>" + STYLE + "</style></head>\n<body>\n"
				+ (file.equals("index.html") ? "" : "<p><a href=\"index.html\">HemeFHIR Implementation Guide</a></p>\n")
				+ "<h1>" + esc(title) + "</h1>\n" + body + "</body></html>\n";
		writeFile(dir.resolve(file), html.getBytes(StandardCharsets.UTF_8));
	}

	private static void deleteTree(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return;
		}
		try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
			for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
				Files.delete(p);
			}
		}
	}

	private static void writeFile(Path file, byte[] bytes) throws IOException {
		Files.createDirectories(file.getParent());
		Files.write(file, bytes);
	}

}
