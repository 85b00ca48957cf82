package org.hemefhir.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The validate command as users run it: from the packaged jar, in a process of its own.
 */
class ValidateJarIT {

	private record Run(int exitCode, String stdout) {
	}

	private static Run validate(String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
						Path.of("target", "hemefhir.jar").toAbsolutePath().toString(), "validate"));
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
		String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
		return new Run(process.exitValue(), stdout);
	}

	@Test
	void theCaseAndTheExamplesPassAndAnInvalidSampleFailsWithAJunitReport() throws Exception {
		Run valid = validate("sample-bundles/case-report", "fhir-profiles/profiles/patient/examples");
		assertThat(valid.exitCode()).as(valid.stdout()).isZero();

		Run invalid = validate("--format", "junit", "sample-bundles/invalid/mrd-without-specimen.json");
		assertThat(invalid.exitCode()).isEqualTo(1);
		assertThat(invalid.stdout()).contains("<testsuite", "<failure", "Observation.specimen");

		assertThat(validate("--format", "nonsense", "sample-bundles").exitCode()).isEqualTo(2);
	}

}
