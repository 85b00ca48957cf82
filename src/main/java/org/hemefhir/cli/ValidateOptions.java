package org.hemefhir.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The arguments of {@code validate}: paths, an optional profile and the report format.
 */
record ValidateOptions(List<Path> paths, String profile, Format format, boolean help) {

	enum Format {

		TEXT, JSON, JUNIT

	}

	static final String USAGE = """
			usage: java -jar hemefhir.jar validate PATH... [--profile URL] [--format text|json|junit]

			Validates FHIR R4 JSON and XML files, bundles and directories (recursively, *.json and *.xml)
			offline against the HemeFHIR profiles, with the validator the server uses on every write.

			  --profile URL   validate every file against this profile (a canonical URL, or a HemeFHIR
			                  profile id such as hemefhir-mrd) instead of the inferred one
			  --format F      text (default): one line per issue and a summary
			                  json: a FHIR Bundle (type collection) with one OperationOutcome per file
			                  junit: a JUnit XML report, one testcase per file
			  -h, --help      this text

			exit code: 0 no errors, 1 at least one file with errors, 2 usage error
			""";

	/** A mistake in the command line: printed with the usage text, exit code 2. */
	static final class UsageException extends Exception {

		UsageException(String message) {
			super(message);
		}

	}

	static ValidateOptions parse(String[] args) throws UsageException {
		List<Path> paths = new ArrayList<>();
		String profile = null;
		Format format = Format.TEXT;
		boolean optionsEnded = false;
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
				paths.add(Path.of(arg));
				continue;
			}
			String name = arg;
			String value = null;
			int eq = arg.indexOf('=');
			if (arg.startsWith("--") && eq > 0) {
				name = arg.substring(0, eq);
				value = arg.substring(eq + 1);
			}
			switch (name) {
				case "--" -> optionsEnded = true;
				case "-h", "--help" -> {
					return new ValidateOptions(List.of(), null, format, true);
				}
				case "--profile" -> {
					if (value == null) {
						value = next(args, ++i, name);
					}
					if (value.isBlank()) {
						throw new UsageException("--profile needs a profile URL");
					}
					profile = value.trim();
				}
				case "--format" -> {
					if (value == null) {
						value = next(args, ++i, name);
					}
					try {
						format = Format.valueOf(value.trim().toUpperCase(Locale.ROOT));
					}
					catch (IllegalArgumentException e) {
						throw new UsageException("unknown format '" + value + "' (use text, json or junit)");
					}
				}
				default -> throw new UsageException("unknown option '" + arg + "'");
			}
		}
		if (paths.isEmpty()) {
			throw new UsageException("no file or directory to validate");
		}
		for (Path path : paths) {
			if (!Files.exists(path)) {
				throw new UsageException("no such file or directory: " + path);
			}
		}
		return new ValidateOptions(List.copyOf(paths), profile, format, false);
	}

	private static String next(String[] args, int i, String option) throws UsageException {
		if (i >= args.length) {
			throw new UsageException(option + " needs a value");
		}
		return args[i];
	}
}
