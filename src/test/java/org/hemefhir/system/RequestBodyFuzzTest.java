package org.hemefhir.system;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.StrictErrorHandler;
import ca.uhn.fhir.validation.ValidationResult;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.hemefhir.validation.ProfileValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * The path of a request body through the server, in process: the document limits, HAPI's
 * strict JSON or XML parser, then profile validation. A finding is any exception the
 * server would not answer with a 400 (the parser's {@link DataFormatException}, or a
 * parser failure that {@link ErrorContractInterceptor#clientInputFailure} classifies as
 * one), any exception from validation, a refusal other than 400/422, or an input that
 * takes longer than the fuzzer's per-input timeout. Seeds: every JSON file of
 * {@code sample-bundles/} (copied by the build) and the XML seeds and findings in
 * {@code src/test/resources/org/hemefhir/system/RequestBodyFuzzTestInputs/}.
 */
class RequestBodyFuzzTest {

	private static final FhirContext STRICT = strictContext();

	private static final ProfileValidator VALIDATOR = ProfileValidator.fromClasspath(1);

	@FuzzTest
	void parseAndValidate(byte[] input) {
		String text = new String(input, StandardCharsets.UTF_8);
		boolean xml = text.stripLeading().startsWith("<");
		if (xml && XmlGuard.declaresDtd(text)) {
			return;
		}
		Optional<DocumentLimits.Violation> violation = xml ? DocumentLimits.checkXml(input, BodyLimits.DEFAULT)
				: DocumentLimits.checkJson(input, BodyLimits.DEFAULT);
		if (violation.isPresent()) {
			assertThat(violation.get().status()).isIn(400, 422);
			assertThat(violation.get().message()).isNotBlank();
			return;
		}
		IBaseResource resource;
		try {
			resource = (xml ? STRICT.newXmlParser() : STRICT.newJsonParser()).parseResource(text);
		}
		catch (DataFormatException refusedWith400) {
			return;
		}
		catch (RuntimeException parserFailure) {
			// some shapes make HAPI's parsers fail outright; the server must still answer
			// 400 for them
			assertThat(ErrorContractInterceptor.clientInputFailure(parserFailure)).as(parserFailure.toString())
				.isPresent();
			return;
		}
		ValidationResult result = VALIDATOR.validate(resource);
		assertThat(result.getMessages()).allSatisfy(m -> assertThat(m.getMessage()).isNotNull());
	}

	private static FhirContext strictContext() {
		FhirContext context = FhirContext.forR4();
		context.setParserErrorHandler(new StrictErrorHandler());
		return context;
	}

}
