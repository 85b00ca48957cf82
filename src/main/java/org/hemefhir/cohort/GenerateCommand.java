package org.hemefhir.cohort;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code java -jar hemefhir.jar generate --patients N [--seed S] --out DIR
 * [--format bundle|ndjson]}: writes a synthetic cohort of T-ALL courses modelled on the
 * case, without Spring, web server or database. docs/cohort-generator.md describes what
 * is drawn.
 */
public final class GenerateCommand {

	public static final String NAME = "generate";

	static final int OK = 0;

	static final int FAILED = 1;

	static final int USAGE = 2;

	static final int MAX_PATIENTS = 100_000;

	static final String USAGE_TEXT = """
			Usage: java -jar hemefhir.jar generate --patients N [--seed S] --out DIR [--format bundle|ndjson]

			Writes N synthetic T-ALL courses (VDLP induction, Dara-VA-HAA consolidation, for some an
			allo-HSCT) that conform to the HemeFHIR profiles and carry the tag
			http://hemefhir.org/fhir/CodeSystem/data-origin|synthetic. The same arguments write the
			same bytes.

			  --patients N   number of patients, 1 to 100000
			  --seed S       seed of the random draws, 0 or more (default 42)
			  --out DIR      output directory (created if missing; files of the same name are replaced)
			  --format F     bundle (default): DIR/patient-00001.json ..., one transaction bundle of
			                 PUTs per patient; ndjson: DIR/<ResourceType>.ndjson and DIR/manifest.json
			                 (load order) for Bulk Data $import
			  --help         this text

			Both formats write DIR/cohort.json: the seed and, per patient, the recovery days, MRD
			conversion, transplant, relapse and death the data was built to show, as $outcomes
			defines them. Details: docs/cohort-generator.md
			""";

	record Options(int patients, long seed, Path out, CohortWriter.Format format, boolean help) {
	}

	static final class UsageException extends Exception {

		private static final long serialVersionUID = 1L;

		UsageException(String message) {
			super(message);
		}

	}

	private GenerateCommand() {
	}

	/**
	 * Entry point from {@code HemeFhirApplication.main}; returns the process exit code.
	 */
	public static int main(String[] args) {
		quietLogging();
		return run(args, System.out, System.err);
	}

	/**
	 * Without Spring Boot's logging setup, logback prints HAPI's INFO lines to stdout;
	 * only warnings and errors are kept, on stderr.
	 */
	private static void quietLogging() {
		if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
			context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(ch.qos.logback.classic.Level.WARN);
		}
	}

	static int run(String[] args, PrintStream out, PrintStream err) {
		Options options;
		try {
			options = parse(args);
		}
		catch (UsageException e) {
			err.println("generate: " + e.getMessage());
			err.println();
			err.print(USAGE_TEXT);
			return USAGE;
		}
		if (options.help()) {
			out.print(USAGE_TEXT);
			return OK;
		}
		try {
			long resources = new CohortWriter(FhirContext.forR4Cached()).write(options.seed(), options.patients(),
					options.out(), options.format());
			out.println("generate: " + options.patients() + " patient(s), " + resources + " resources, seed "
					+ options.seed() + ", written to " + options.out());
			return OK;
		}
		catch (IOException e) {
			err.println("generate: cannot write to " + options.out() + ": " + e.getMessage());
			return FAILED;
		}
	}

	static Options parse(String[] args) throws UsageException {
		Integer patients = null;
		long seed = 42;
		Path out = null;
		CohortWriter.Format format = CohortWriter.Format.BUNDLE;
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			if (arg.equals("--help") || arg.equals("-h")) {
				return new Options(0, seed, null, format, true);
			}
			String name = arg;
			String value;
			int eq = arg.indexOf('=');
			if (arg.startsWith("--") && eq > 0) {
				name = arg.substring(0, eq);
				value = arg.substring(eq + 1);
			}
			else if (i + 1 < args.length) {
				value = args[++i];
			}
			else {
				value = null;
			}
			switch (name) {
				case "--patients" -> patients = number(name, value, 1, MAX_PATIENTS).intValue();
				case "--seed" -> seed = number(name, value, 0, Long.MAX_VALUE);
				case "--out" -> out = path(value);
				case "--format" -> format = format(value);
				default -> throw new UsageException("unknown argument '" + arg + "'");
			}
		}
		if (patients == null) {
			throw new UsageException("--patients is required");
		}
		if (out == null) {
			throw new UsageException("--out is required");
		}
		if (Files.exists(out) && !Files.isDirectory(out)) {
			throw new UsageException("--out " + out + " exists and is not a directory");
		}
		return new Options(patients, seed, out, format, false);
	}

	private static Long number(String name, String value, long min, long max) throws UsageException {
		if (value == null) {
			throw new UsageException(name + " needs a value");
		}
		long n;
		try {
			n = Long.parseLong(value.trim());
		}
		catch (NumberFormatException e) {
			throw new UsageException(name + " must be a whole number, not '" + value + "'");
		}
		if (n < min || n > max) {
			throw new UsageException(name + " must be between " + min + " and " + max + ", not " + n);
		}
		return n;
	}

	private static Path path(String value) throws UsageException {
		if (value == null || value.isBlank()) {
			throw new UsageException("--out needs a directory");
		}
		try {
			return Path.of(value);
		}
		catch (InvalidPathException e) {
			throw new UsageException("--out '" + value + "' is not a valid path");
		}
	}

	private static CohortWriter.Format format(String value) throws UsageException {
		if (value == null) {
			throw new UsageException("--format needs a value: bundle or ndjson");
		}
		return switch (value.toLowerCase(Locale.ROOT)) {
			case "bundle" -> CohortWriter.Format.BUNDLE;
			case "ndjson" -> CohortWriter.Format.NDJSON;
			default -> throw new UsageException("--format must be bundle or ndjson, not '" + value + "'");
		};
	}

}
