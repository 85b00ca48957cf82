package org.hemefhir.validation;

import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import org.hemefhir.validation.HemeFhirIg;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The IG's examples against its profiles, driven by {@code fhir-profiles/tests/valid.csv}
 * (each file must pass with no error) and {@code invalid.csv} (each file must raise the
 * expected error).
 */
class ProfileConformanceTest {

	private static final Path PROFILES = Path.of("fhir-profiles");

	@ParameterizedTest(name = "{0} conforms to {1}")
	@CsvFileSource(files = "fhir-profiles/tests/valid.csv", numLinesToSkip = 1)
	void validExamplePassesItsProfile(String file, String profile) throws IOException {
		String json = Files.readString(PROFILES.resolve(file));

		ValidationResult explicit = SharedValidator.get().validateJson(json, HemeFhirIg.profileUrl(profile));
		ValidationResult inferred = SharedValidator.get().validateJson(json, null);

		assertThat(errors(explicit)).as("errors against %s", profile).isEmpty();
		assertThat(errors(inferred)).as("errors with the inferred profile").isEmpty();
	}

	@ParameterizedTest(name = "{0} violates {1}: {2}")
	@CsvFileSource(files = "fhir-profiles/tests/invalid.csv", numLinesToSkip = 1)
	void invalidExampleRaisesItsError(String file, String profile, String expected) throws IOException {
		String json = Files.readString(PROFILES.resolve(file));

		// "bundle": a Bundle whose entries are checked against their inferred profiles
		// (rules that resolve() references between entries)
		ValidationResult result = SharedValidator.get()
			.validateJson(json, "bundle".equals(profile) ? null : HemeFhirIg.profileUrl(profile));

		assertThat(errors(result)).as("errors of %s", file)
			.anySatisfy(m -> assertThat(m.getMessage()).contains(expected));
	}

	static List<SingleValidationMessage> errors(ValidationResult result) {
		return result.getMessages()
			.stream()
			.filter(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
			.toList();
	}

}
