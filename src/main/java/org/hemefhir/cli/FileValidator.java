package org.hemefhir.cli;

import ca.uhn.fhir.parser.LenientErrorHandler;
import ca.uhn.fhir.parser.json.BaseJsonLikeValue;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import org.hemefhir.system.XmlGuard;
import org.hemefhir.system.BodyLimits;
import org.hemefhir.system.DocumentLimits;
import org.hemefhir.validation.ProfileValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Validates one file with the server's {@link ProfileValidator}. JSON goes to the
 * validator as written; XML is parsed (its parser problems become errors, as the server's
 * strict parser would refuse them) and handed over as JSON, so both formats meet the same
 * validation chain.
 */
final class FileValidator {

	private final ProfileValidator validator;

	private final String profile;

	FileValidator(ProfileValidator validator, String profile) {
		this.validator = validator;
		this.profile = profile;
	}

	FileValidation validate(Path file) {
		long start = System.nanoTime();
		List<SingleValidationMessage> messages = messages(file);
		return new FileValidation(file, List.copyOf(messages), (System.nanoTime() - start) / 1_000_000);
	}

	private List<SingleValidationMessage> messages(Path file) {
		String text;
		try {
			text = StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
				.toString();
		}
		catch (CharacterCodingException e) {
			return List.of(error(null, "The file is not UTF-8 text"));
		}
		catch (IOException e) {
			return List.of(error(null, "Cannot read the file: " + e.getMessage()));
		}
		String content = text.startsWith("\uFEFF") ? text.substring(1) : text;
		if (isXml(file, content)) {
			return validateXml(content);
		}
		return new ArrayList<>(validator.validateJson(content, profile).getMessages());
	}

	private List<SingleValidationMessage> validateXml(String xml) {
		if (XmlGuard.declaresDtd(xml)) {
			return List.of(error(null, XmlGuard.REFUSAL));
		}
		Optional<DocumentLimits.Violation> tooLarge = DocumentLimits.checkXml(xml.getBytes(StandardCharsets.UTF_8),
				BodyLimits.DEFAULT);
		if (tooLarge.isPresent()) {
			return List.of(error(tooLarge.get().expression(), tooLarge.get().message()));
		}
		RecordingErrorHandler parserIssues = new RecordingErrorHandler();
		IBaseResource resource;
		try {
			resource = validator.fhirContext().newXmlParser().setParserErrorHandler(parserIssues).parseResource(xml);
		}
		catch (RuntimeException e) {
			return List.of(error(null, "The content is not a FHIR R4 XML resource: " + e.getMessage()));
		}
		List<SingleValidationMessage> out = new ArrayList<>(parserIssues.messages);
		String json = validator.fhirContext().newJsonParser().encodeResourceToString(resource);
		for (SingleValidationMessage m : validator.validateJson(json, profile).getMessages()) {
			// line and column would point into the JSON rendering, not into the XML file
			m.setLocationLine(null);
			m.setLocationCol(null);
			out.add(m);
		}
		return out;
	}

	private static boolean isXml(Path file, String content) {
		String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
		if (name.endsWith(".xml")) {
			return true;
		}
		if (name.endsWith(".json")) {
			return false;
		}
		return content.stripLeading().startsWith("<");
	}

	static SingleValidationMessage error(String location, String text) {
		SingleValidationMessage m = new SingleValidationMessage();
		m.setSeverity(ResultSeverityEnum.ERROR);
		m.setLocationString(location);
		m.setMessage(text);
		return m;
	}

	/**
	 * Keeps parsing (so the rest of the resource is still validated) but records what
	 * HAPI's strict parser, as used by the server, would refuse.
	 */
	private static final class RecordingErrorHandler extends LenientErrorHandler {

		private final List<SingleValidationMessage> messages = new ArrayList<>();

		RecordingErrorHandler() {
			super(false);
			setErrorOnInvalidValue(false);
		}

		private void record(IParseLocation location, String text) {
			messages.add(error(location == null ? null : location.getParentElementName(), text));
		}

		@Override
		public void unknownElement(IParseLocation location, String name) {
			record(location, "Unknown element '" + name + "'");
		}

		@Override
		public void unknownAttribute(IParseLocation location, String name) {
			record(location, "Unknown attribute '" + name + "'");
		}

		@Override
		public void unexpectedRepeatingElement(IParseLocation location, String name) {
			record(location, "Element '" + name + "' may not repeat");
		}

		@Override
		public void invalidValue(IParseLocation location, String value, String error) {
			record(location, "Invalid value '" + value + "': " + error);
		}

		@Override
		public void missingRequiredElement(IParseLocation location, String name) {
			record(location, "Missing required element '" + name + "'");
		}

		@Override
		public void extensionContainsValueAndNestedExtensions(IParseLocation location) {
			record(location, "Extension contains both a value and nested extensions");
		}

		@Override
		public void incorrectJsonType(IParseLocation location, String name, BaseJsonLikeValue.ValueType expected,
				BaseJsonLikeValue.ScalarType expectedScalar, BaseJsonLikeValue.ValueType found,
				BaseJsonLikeValue.ScalarType foundScalar) {
			record(location, createIncorrectJsonTypeMessage(name, expected, expectedScalar, found, foundScalar));
		}

	}

}
