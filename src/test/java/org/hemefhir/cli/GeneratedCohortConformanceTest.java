package org.hemefhir.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hemefhir.cohort.GenerateCommand;
import org.hemefhir.validation.ProfileValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every resource of a small generated cohort conforms to the IG: the offline
 * {@code validate} command, run on what {@code generate} wrote, reports no error and no
 * warning.
 */
class GeneratedCohortConformanceTest {

	@TempDir
	Path dir;

	@Test
	void aGeneratedCohortValidatesWithoutErrors() throws Exception {
		Path out = dir.resolve("cohort");
		assertThat(GenerateCommand.main(new String[] { "--patients", "3", "--seed", "42", "--out", out.toString() }))
			.isZero();
		assertThat(out.resolve("patient-00003.json")).exists();
		// cohort.json is the generator's report, not FHIR
		Files.delete(out.resolve("cohort.json"));

		ByteArrayOutputStream report = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		int exit = ValidateCommand.run(new String[] { out.toString() },
				new PrintStream(report, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8), ProfileValidator::fromClasspath);

		String text = report.toString(StandardCharsets.UTF_8);
		assertThat(exit).as(text).isEqualTo(ValidateCommand.OK);
		assertThat(text).contains("3 file(s) validated", "0 error(s), 0 warning(s)");
	}

}
