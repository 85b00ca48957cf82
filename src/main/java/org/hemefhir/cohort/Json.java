package org.hemefhir.cohort;

import java.util.List;
import java.util.Map;

/**
 * Writes the generator's own JSON files (cohort.json, manifest.json) from maps, lists and
 * plain values, in insertion order, so the same cohort gives the same bytes.
 */
final class Json {

	private Json() {
	}

	static String write(Object value) {
		StringBuilder out = new StringBuilder();
		write(value, out, "");
		return out.append('\n').toString();
	}

	private static void write(Object value, StringBuilder out, String indent) {
		if (value == null) {
			out.append("null");
		}
		else if (value instanceof String s) {
			string(s, out);
		}
		else if (value instanceof Number || value instanceof Boolean) {
			out.append(value);
		}
		else if (value instanceof Map<?, ?> map) {
			if (map.isEmpty()) {
				out.append("{}");
				return;
			}
			out.append("{\n");
			String inner = indent + "  ";
			int i = 0;
			for (Map.Entry<?, ?> e : map.entrySet()) {
				out.append(inner);
				string(e.getKey().toString(), out);
				out.append(": ");
				write(e.getValue(), out, inner);
				out.append(++i < map.size() ? ",\n" : "\n");
			}
			out.append(indent).append('}');
		}
		else if (value instanceof List<?> list) {
			if (list.isEmpty()) {
				out.append("[]");
				return;
			}
			out.append("[\n");
			String inner = indent + "  ";
			for (int i = 0; i < list.size(); i++) {
				out.append(inner);
				write(list.get(i), out, inner);
				out.append(i + 1 < list.size() ? ",\n" : "\n");
			}
			out.append(indent).append(']');
		}
		else {
			string(value.toString(), out);
		}
	}

	private static void string(String s, StringBuilder out) {
		out.append('"');
		for (char c : s.toCharArray()) {
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				default -> {
					if (c < 0x20) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		out.append('"');
	}

}
