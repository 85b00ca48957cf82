package bench.suite;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one run: each a measure of one phase with its unit, measured on one or
 * more servers ({@link #HEMEFHIR}, {@link #VALIDATION_OFF}, {@link #STOCK}), or a reason
 * why it could not be measured. Printed as one table and written as JSON.
 */
final class Figures {

	static final String HEMEFHIR = "hemefhir";

	static final String VALIDATION_OFF = "hemefhir-validation-off";

	static final String STOCK = "stock-hapi";

	/** Validation enforced, one node on PostgreSQL. */
	static final String POSTGRES = "hemefhir-postgres";

	/** Validation enforced, two nodes on PostgreSQL behind nginx. */
	static final String POSTGRES_TWO_NODES = "hemefhir-postgres-2-nodes";

	private static final List<String> SERVERS = List.of(HEMEFHIR, POSTGRES, POSTGRES_TWO_NODES, VALIDATION_OFF, STOCK);

	private static final Map<String, String> HEADINGS = Map.of(HEMEFHIR, "HemeFHIR", POSTGRES, "HemeFHIR, PostgreSQL",
			POSTGRES_TWO_NODES, "HemeFHIR, PostgreSQL, 2 nodes", VALIDATION_OFF, "HemeFHIR, validation off", STOCK,
			"stock HAPI");

	/**
	 * The order of the phases in the table and the JSON; measures keep their order within
	 * a phase.
	 */
	private static final List<String> PHASES = List.of("startup", "ingest", "bulk load", "validation", "search",
			"export");

	private final Map<String, Figure> figures = new LinkedHashMap<>();

	static final class Figure {

		final String phase;

		final String measure;

		final String unit;

		final Map<String, Double> values = new LinkedHashMap<>();

		final Map<String, String> notes = new LinkedHashMap<>();

		Figure(String phase, String measure, String unit) {
			this.phase = phase;
			this.measure = measure;
			this.unit = unit;
		}

		Double ratio(String server) {
			Double value = values.get(server);
			Double stock = values.get(STOCK);
			return value == null || stock == null || stock == 0 || value.isNaN() || stock.isNaN() ? null
					: value / stock;
		}

	}

	synchronized void put(String phase, String measure, String unit, String server, double value) {
		figure(phase, measure, unit).values.put(server, value);
	}

	/** A figure that could not be measured on this server, and why. */
	synchronized void missing(String phase, String measure, String unit, String server, String reason) {
		figure(phase, measure, unit).notes.put(server, reason);
	}

	private Figure figure(String phase, String measure, String unit) {
		return figures.computeIfAbsent(phase + "|" + measure, k -> new Figure(phase, measure, unit));
	}

	synchronized String table() {
		StringBuilder out = new StringBuilder();
		// the PostgreSQL columns only in runs that measured them
		List<String> servers = SERVERS.stream()
			.filter(server -> !POSTGRES.equals(server) && !POSTGRES_TWO_NODES.equals(server) || figures.values()
				.stream()
				.anyMatch(f -> f.values.containsKey(server) || f.notes.containsKey(server)))
			.toList();
		out.append("| phase | measure | unit | ");
		servers.forEach(server -> out.append(HEADINGS.get(server)).append(" | "));
		out.append("HemeFHIR ÷ stock | off ÷ stock |\n");
		out.append("| --- | --- | --- |").append(" ---: |".repeat(servers.size() + 2)).append('\n');
		List<String> notes = new ArrayList<>();
		for (Figure f : ordered()) {
			out.append("| ").append(f.phase).append(" | ").append(f.measure).append(" | ").append(f.unit);
			for (String server : servers) {
				out.append(" | ").append(cell(f, server, notes));
			}
			out.append(" | ").append(ratio(f.ratio(HEMEFHIR))).append(" | ").append(ratio(f.ratio(VALIDATION_OFF)));
			out.append(" |\n");
		}
		for (int i = 0; i < notes.size(); i++) {
			out.append("[").append(i + 1).append("] ").append(notes.get(i)).append('\n');
		}
		return out.toString();
	}

	private List<Figure> ordered() {
		List<Figure> list = new ArrayList<>(figures.values());
		list.sort(java.util.Comparator.comparingInt(f -> {
			int index = PHASES.indexOf(f.phase);
			return index < 0 ? PHASES.size() : index;
		}));
		return list;
	}

	private static String cell(Figure f, String server, List<String> notes) {
		Double value = f.values.get(server);
		if (value != null) {
			return format(value);
		}
		String note = f.notes.get(server);
		if (note == null) {
			return "";
		}
		int index = notes.indexOf(note);
		if (index < 0) {
			notes.add(note);
			index = notes.size() - 1;
		}
		return "n/a [" + (index + 1) + "]";
	}

	static String format(double value) {
		if (Double.isNaN(value)) {
			return "–";
		}
		if (Math.abs(value) >= 100 || value == Math.rint(value)) {
			return String.format(Locale.ROOT, "%.0f", value);
		}
		return String.format(Locale.ROOT, Math.abs(value) >= 10 ? "%.1f" : "%.2f", value);
	}

	private static String ratio(Double ratio) {
		return ratio == null ? "" : String.format(Locale.ROOT, "%.2f×", ratio);
	}

	synchronized void write(Path file, Map<String, Object> run) throws IOException {
		ObjectNode root = Cohort.JSON.createObjectNode();
		root.set("run", Cohort.JSON.valueToTree(run));
		root.put("ratio", "value on the server ÷ value on stock HAPI in the same run (rates: higher is better; "
				+ "latencies, seconds and memory: lower is better)");
		ArrayNode list = root.putArray("figures");
		for (Figure f : ordered()) {
			ObjectNode node = list.addObject().put("phase", f.phase).put("measure", f.measure).put("unit", f.unit);
			ObjectNode values = node.putObject("values");
			f.values.forEach((server, value) -> {
				if (value.isNaN()) {
					values.putNull(server);
				}
				else {
					values.put(server, value);
				}
			});
			if (!f.notes.isEmpty()) {
				node.set("notAvailable", Cohort.JSON.valueToTree(f.notes));
			}
			ObjectNode ratios = Cohort.JSON.createObjectNode();
			for (String server : List.of(HEMEFHIR, VALIDATION_OFF)) {
				Double ratio = f.ratio(server);
				if (ratio != null) {
					ratios.put(server, Math.round(ratio * 1000) / 1000.0);
				}
			}
			if (!ratios.isEmpty()) {
				node.set("ratioToStock", ratios);
			}
		}
		Cohort.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
	}

}
