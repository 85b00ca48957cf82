package org.hemefhir.system;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * Reads a JSON or XML document once, as a stream, before any FHIR parser builds it, and
 * refuses it when it is deeper or larger in values than {@link BodyLimits} allow, or when
 * a JSON number is one that {@link DecimalBounds} refuses. What this stops: deep nesting
 * that overflows the stack of the recursive parsers and validator, millions of small
 * values that take minutes to validate, and decimals whose expansion takes minutes.
 * Malformed documents pass: the FHIR parser reports those with its own, more precise
 * message.
 */
public final class DocumentLimits {

	/**
	 * What is wrong and where ({@code expression} in FHIRPath notation of the document's
	 * own names).
	 */
	public record Violation(IssueType type, String message, String expression) {
		/**
		 * 422 for a value the server cannot take, 400 for a document too large to
		 * process.
		 */
		public int status() {
			return type == IssueType.VALUE ? 422 : 400;
		}
	}

	private static final JsonFactory JSON = JsonFactory.builder()
		// deeper than any limit we allow, so that our own check (with its path) comes
		// first
		.streamReadConstraints(StreamReadConstraints.builder()
			.maxNestingDepth(100_000)
			.maxNumberLength(Integer.MAX_VALUE)
			.maxStringLength(Integer.MAX_VALUE)
			.build())
		// what HAPI's JSON parser accepts
		.enable(JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS)
		.enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
		.build();

	private static final XMLInputFactory XML = xmlFactory();

	private static final java.util.Set<String> EXTENSION_ARRAYS = java.util.Set.of("extension", "modifierExtension");

	private DocumentLimits() {
	}

	/**
	 * The body as the server reads it: UTF-8 (Jackson's own encoding detection would
	 * guess UTF-32 from some bytes).
	 */
	public static Optional<Violation> checkJson(byte[] body, BodyLimits limits) {
		return check(
				() -> JSON.createParser(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8)),
				limits);
	}

	public static Optional<Violation> checkJson(String body, BodyLimits limits) {
		return check(() -> JSON.createParser(body), limits);
	}

	private interface ParserSource {

		JsonParser open() throws IOException;

	}

	private static Optional<Violation> check(ParserSource source, BodyLimits limits) {
		try (JsonParser parser = source.open()) {
			return checkJson(parser, limits);
		}
		catch (IOException malformed) {
			// not JSON as far as the stream goes: the FHIR parser says what is wrong, and
			// where
			return Optional.empty();
		}
	}

	private static Optional<Violation> checkJson(JsonParser parser, BodyLimits limits) throws IOException {
		long values = 0;
		String root = null;
		JsonToken token;
		while ((token = parser.nextToken()) != null) {
			if (token == JsonToken.FIELD_NAME || token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
				continue;
			}
			values++;
			if (values > limits.maxValues()) {
				return Optional.of(new Violation(IssueType.TOOCOSTLY, "The document has more than " + limits.maxValues()
						+ " values (hemefhir.limits.max-values); split it, e.g. into smaller transaction bundles",
						jsonPath(root, parser.getParsingContext())));
			}
			JsonStreamContext holder = token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY
					? parser.getParsingContext().getParent() : parser.getParsingContext();
			if (token != JsonToken.START_OBJECT && holder != null && holder.inArray() && holder.getParent() != null
					&& holder.getParent().getCurrentName() != null
					&& EXTENSION_ARRAYS.contains(holder.getParent().getCurrentName())) {
				// HAPI's JSON parser fails with a NullPointerException on these (a 500);
				// say what is wrong instead
				return Optional
					.of(new Violation(IssueType.STRUCTURE,
							"Each entry of " + holder.getParent().getCurrentName()
									+ " must be a JSON object with a url, not " + describe(token),
							jsonPath(root, holder)));
			}
			if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
				// the context of a container is the container itself
				if (parser.getParsingContext().getNestingDepth() > limits.maxNestingDepth()) {
					return Optional.of(new Violation(IssueType.TOOCOSTLY,
							"The document nests objects and arrays more than " + limits.maxNestingDepth()
									+ " levels deep (hemefhir.limits.max-nesting-depth)",
							jsonPath(root, parser.getParsingContext().getParent())));
				}
			}
			else if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
				// only what costs to read; plain range errors are found by the validator,
				// with their FHIRPath
				Optional<String> problem = DecimalBounds.problemIfCostly(parser.getText());
				if (problem.isPresent()) {
					return Optional
						.of(new Violation(IssueType.VALUE, problem.get(), jsonPath(root, parser.getParsingContext())));
				}
			}
			else if (token == JsonToken.VALUE_STRING && root == null && parser.getParsingContext().getParent() != null
					&& parser.getParsingContext().getParent().inRoot() && "resourceType".equals(parser.currentName())) {
				root = parser.getText();
			}
		}
		return Optional.empty();
	}

	private static String describe(JsonToken token) {
		return switch (token) {
			case START_ARRAY -> "an array";
			case VALUE_STRING -> "a string";
			case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
			case VALUE_TRUE, VALUE_FALSE -> "a boolean";
			case VALUE_NULL -> "null";
			default -> token.asString();
		};
	}

	/** "Bundle.entry[3].resource.valueQuantity.value" from Jackson's position. */
	private static String jsonPath(String root, JsonStreamContext context) {
		Deque<String> parts = new ArrayDeque<>();
		for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
			if (c.inArray()) {
				parts.push("[" + Math.max(c.getCurrentIndex(), 0) + "]");
			}
			else if (c.getCurrentName() != null) {
				parts.push("." + c.getCurrentName());
			}
		}
		StringBuilder path = new StringBuilder(root == null ? "Resource" : root);
		parts.forEach(path::append);
		return path.toString();
	}

	public static Optional<Violation> checkXml(byte[] body, BodyLimits limits) {
		XMLStreamReader reader = null;
		try {
			reader = XML.createXMLStreamReader(new ByteArrayInputStream(body));
			return checkXml(reader, limits);
		}
		catch (XMLStreamException | RuntimeException malformed) {
			// the FHIR parser says what is wrong, and where
			return Optional.empty();
		}
		finally {
			if (reader != null) {
				try {
					reader.close();
				}
				catch (XMLStreamException ignored) {
					// nothing held
				}
			}
		}
	}

	private static Optional<Violation> checkXml(XMLStreamReader reader, BodyLimits limits) throws XMLStreamException {
		long values = 0;
		List<String> path = new ArrayList<>();
		Deque<Map<String, Integer>> siblings = new ArrayDeque<>();
		siblings.push(new HashMap<>());
		while (reader.hasNext()) {
			int event = reader.next();
			if (event == XMLStreamConstants.START_ELEMENT) {
				String name = reader.getLocalName();
				int index = siblings.peek().merge(name, 1, Integer::sum) - 1;
				path.add(index == 0 ? name : name + "[" + index + "]");
				siblings.push(new HashMap<>());
				values += 1 + reader.getAttributeCount();
				String value = reader.getAttributeValue(null, "value");
				Optional<String> costly = value == null ? Optional.empty() : DecimalBounds.problemIfCostly(value);
				if (costly.isPresent()) {
					// a decimal of thousands of digits costs seconds to parse (BigDecimal
					// is quadratic); only a
					// value attribute that is nothing but such a number is refused
					return Optional.of(new Violation(IssueType.VALUE, costly.get(), xmlPath(path)));
				}
				if (path.size() > limits.maxNestingDepth()) {
					return Optional.of(new Violation(IssueType.TOOCOSTLY, "The document nests elements more than "
							+ limits.maxNestingDepth() + " levels deep (hemefhir.limits.max-nesting-depth)",
							xmlPath(path)));
				}
				if (values > limits.maxValues()) {
					return Optional.of(new Violation(IssueType.TOOCOSTLY, "The document has more than "
							+ limits.maxValues()
							+ " elements and attributes (hemefhir.limits.max-values); split it, e.g. into smaller transaction bundles",
							xmlPath(path)));
				}
			}
			else if (event == XMLStreamConstants.END_ELEMENT) {
				path.remove(path.size() - 1);
				siblings.pop();
			}
		}
		return Optional.empty();
	}

	/**
	 * "Observation.extension.extension[1]": a resource inside {@code resource} or
	 * {@code contained} is not named.
	 */
	private static String xmlPath(List<String> elements) {
		StringBuilder path = new StringBuilder();
		for (int i = 0; i < elements.size(); i++) {
			String parent = i > 0 ? elements.get(i - 1).replaceAll("\\[\\d+]$", "") : "";
			if (parent.equals("resource") || parent.equals("contained") || parent.equals("outcome")) {
				continue;
			}
			if (path.length() > 0) {
				path.append('.');
			}
			path.append(elements.get(i));
		}
		return path.toString();
	}

	private static XMLInputFactory xmlFactory() {
		XMLInputFactory factory = XMLInputFactory.newFactory();
		factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
		factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
		factory.setProperty(XMLInputFactory.IS_COALESCING, false);
		return factory;
	}

}
