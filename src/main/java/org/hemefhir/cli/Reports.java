package org.hemefhir.cli;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import org.hemefhir.validation.ProfileValidator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.OperationOutcome;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import java.io.PrintStream;
import java.io.StringWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The three report formats of {@code validate}: text, a Bundle of OperationOutcomes,
 * JUnit XML.
 */
final class Reports {

	static final String LINE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-line";
	static final String COL_EXTENSION = "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-col";

	private Reports() {
	}

	/**
	 * {@code file:line:col: severity: location: message} per issue (compiler style, so
	 * editors and CI log parsers link to the line), then one summary line.
	 */
	static void text(List<FileValidation> results, long millis, PrintStream out) {
		for (FileValidation result : results) {
			for (SingleValidationMessage m : result.messages()) {
				out.println(textLine(result, m));
			}
		}
		long failed = results.stream().filter(FileValidation::hasErrors).count();
		out.printf(Locale.ROOT,
				"%d file(s) validated in %.1f s: %d with errors, %d without; %d error(s), %d warning(s), %d information%n",
				results.size(), millis / 1000.0, failed, results.size() - failed,
				results.stream().mapToLong(FileValidation::errorCount).sum(),
				results.stream().mapToLong(r -> r.count(ResultSeverityEnum.WARNING)).sum(),
				results.stream().mapToLong(r -> r.count(ResultSeverityEnum.INFORMATION)).sum());
	}

	static String textLine(FileValidation result, SingleValidationMessage m) {
		StringBuilder line = new StringBuilder(result.file().toString());
		if (m.getLocationLine() != null && m.getLocationLine() > 0) {
			line.append(':').append(m.getLocationLine());
			if (m.getLocationCol() != null && m.getLocationCol() > 0) {
				line.append(':').append(m.getLocationCol());
			}
		}
		line.append(": ").append(m.getSeverity().getCode());
		line.append(": ").append(m.getLocationString() == null ? "(file)" : m.getLocationString());
		line.append(": ").append(oneLine(m.getMessage()));
		return line.toString();
	}

	/**
	 * A Bundle of type {@code collection}: one entry per file, {@code fullUrl} the file's
	 * absolute {@code file:} URI, the resource an OperationOutcome whose issues carry the
	 * FHIRPath in {@code expression} and the line and column in the standard
	 * operationoutcome-issue-line/col extensions (JSON files).
	 */
	static void json(FhirContext ctx, List<FileValidation> results, PrintStream out) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
		bundle.setTimestamp(new java.util.Date());
		for (FileValidation result : results) {
			bundle.addEntry()
				.setFullUrl(result.file().toAbsolutePath().normalize().toUri().toString())
				.setResource(outcome(ctx, result));
		}
		out.println(ctx.newJsonParser().setPrettyPrint(true).encodeResourceToString(bundle));
	}

	static OperationOutcome outcome(FhirContext ctx, FileValidation result) {
		OperationOutcome outcome = ProfileValidator.toOperationOutcome(new ValidationResult(ctx, result.messages()));
		for (int i = 0; i < result.messages().size(); i++) {
			SingleValidationMessage m = result.messages().get(i);
			OperationOutcome.OperationOutcomeIssueComponent issue = outcome.getIssue().get(i);
			if (m.getLocationLine() != null && m.getLocationLine() > 0) {
				issue.addExtension(LINE_EXTENSION, new IntegerType(m.getLocationLine()));
				if (m.getLocationCol() != null && m.getLocationCol() > 0) {
					issue.addExtension(COL_EXTENSION, new IntegerType(m.getLocationCol()));
				}
			}
		}
		return outcome;
	}

	/**
	 * One testsuite, one testcase per file ({@code classname} = its folder, {@code name}
	 * = its path); a file with errors fails with every error in the failure text;
	 * warnings go to system-out.
	 */
	static void junit(List<FileValidation> results, long millis, PrintStream out) {
		StringWriter buffer = new StringWriter();
		try {
			XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(buffer);
			long failures = results.stream().filter(FileValidation::hasErrors).count();
			xml.writeStartDocument("UTF-8", "1.0");
			xml.writeCharacters("\n");
			xml.writeStartElement("testsuites");
			suiteAttributes(xml, results.size(), failures, millis);
			xml.writeCharacters("\n  ");
			xml.writeStartElement("testsuite");
			suiteAttributes(xml, results.size(), failures, millis);
			xml.writeAttribute("skipped", "0");
			xml.writeAttribute("timestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
			for (FileValidation result : results) {
				testcase(xml, result);
			}
			xml.writeCharacters("\n  ");
			xml.writeEndElement();
			xml.writeCharacters("\n");
			xml.writeEndElement();
			xml.writeEndDocument();
			xml.close();
		}
		catch (XMLStreamException e) {
			throw new IllegalStateException("Cannot write the JUnit report", e);
		}
		out.println(buffer);
	}

	private static void suiteAttributes(XMLStreamWriter xml, int tests, long failures, long millis)
			throws XMLStreamException {
		xml.writeAttribute("name", "hemefhir validate");
		xml.writeAttribute("tests", Integer.toString(tests));
		xml.writeAttribute("failures", Long.toString(failures));
		xml.writeAttribute("errors", "0");
		xml.writeAttribute("time", seconds(millis));
	}

	private static void testcase(XMLStreamWriter xml, FileValidation result) throws XMLStreamException {
		xml.writeCharacters("\n    ");
		xml.writeStartElement("testcase");
		java.nio.file.Path parent = result.file().getParent();
		xml.writeAttribute("classname", parent == null ? "." : xmlSafe(parent.toString()));
		xml.writeAttribute("name", xmlSafe(result.file().toString()));
		xml.writeAttribute("time", seconds(result.millis()));
		List<SingleValidationMessage> errors = result.messages().stream().filter(FileValidation::isError).toList();
		List<SingleValidationMessage> others = result.messages()
			.stream()
			.filter(m -> !FileValidation.isError(m))
			.toList();
		if (!errors.isEmpty()) {
			xml.writeCharacters("\n      ");
			xml.writeStartElement("failure");
			xml.writeAttribute("type", "validation");
			xml.writeAttribute("message", xmlSafe(errors.size() + " error(s): " + oneLine(errors.get(0).getMessage())));
			xml.writeCharacters(xmlSafe(lines(result, errors)));
			xml.writeEndElement();
		}
		if (!others.isEmpty()) {
			xml.writeCharacters("\n      ");
			xml.writeStartElement("system-out");
			xml.writeCharacters(xmlSafe(lines(result, others)));
			xml.writeEndElement();
		}
		if (!errors.isEmpty() || !others.isEmpty()) {
			xml.writeCharacters("\n    ");
		}
		xml.writeEndElement();
	}

	private static String lines(FileValidation result, List<SingleValidationMessage> messages) {
		return messages.stream().map(m -> textLine(result, m)).collect(Collectors.joining("\n", "\n", "\n"));
	}

	private static String seconds(long millis) {
		return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
	}

	private static String oneLine(String text) {
		return text == null ? "" : text.replaceAll("\\s*[\\r\\n]+\\s*", " ");
	}

	/**
	 * Drops the characters XML 1.0 cannot carry at all (control characters other than tab
	 * and newlines).
	 */
	private static String xmlSafe(String text) {
		return text.replaceAll("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\uFFFE\\uFFFF]", "");
	}

}
