package org.hemefhir.cli;

import org.hemefhir.validation.HemeFhirIg;
import org.hemefhir.validation.ProfileValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * {@code java -jar hemefhir.jar validate PATH...}: validates files offline with the
 * validator the server uses ({@link ProfileValidator} over the packaged IG), without
 * Spring, web server or database.
 */
public final class ValidateCommand {

	public static final String NAME = "validate";

	static final int OK = 0;
	static final int INVALID = 1;
	static final int USAGE = 2;

	private ValidateCommand() {
	}

	/**
	 * Entry point from {@code HemeFhirApplication.main}; returns the process exit code.
	 */
	public static int main(String[] args) {
		CommandLogging.quiet();
		return run(args, System.out, System.err, ProfileValidator::fromClasspath);
	}

	/**
	 * Runs the command, writing the report to {@code out} and usage errors to
	 * {@code err}; the validator is built only once the arguments are known to be usable.
	 */
	static int run(String[] args, PrintStream out, PrintStream err, Supplier<ProfileValidator> validators) {
		long start = System.nanoTime();
		ValidateOptions options;
		List<Path> files;
		try {
			options = ValidateOptions.parse(args);
			if (options.help()) {
				out.print(ValidateOptions.USAGE);
				return OK;
			}
			files = collectFiles(options.paths());
		}
		catch (ValidateOptions.UsageException e) {
			return usage(err, e.getMessage());
		}

		ProfileValidator validator = validators.get();
		String profile = options.profile();
		if (profile != null) {
			if (!profile.contains("/") && validator.isKnownProfile(HemeFhirIg.profileUrl(profile))) {
				profile = HemeFhirIg.profileUrl(profile);
			}
			if (!validator.isKnownProfile(profile)) {
				return usage(err, "unknown profile '" + options.profile()
						+ "': neither a HemeFHIR profile nor a FHIR R4 core definition");
			}
		}

		List<FileValidation> results = validateAll(new FileValidator(validator, profile), files);
		long millis = (System.nanoTime() - start) / 1_000_000;
		switch (options.format()) {
			case TEXT -> Reports.text(results, millis, out);
			case JSON -> Reports.json(validator.fhirContext(), results, out);
			case JUNIT -> Reports.junit(results, millis, out);
		}
		out.flush();
		return results.stream().anyMatch(FileValidation::hasErrors) ? INVALID : OK;
	}

	private static int usage(PrintStream err, String problem) {
		err.println("validate: " + problem);
		err.println();
		err.print(ValidateOptions.USAGE);
		return USAGE;
	}

	/**
	 * The given files as they are; directories walked for *.json and *.xml, in name
	 * order.
	 */
	static List<Path> collectFiles(List<Path> paths) throws ValidateOptions.UsageException {
		Set<Path> files = new LinkedHashSet<>();
		for (Path path : paths) {
			if (!Files.isDirectory(path)) {
				files.add(path.normalize());
				continue;
			}
			try (Stream<Path> walk = Files.walk(path)) {
				walk.filter(Files::isRegularFile)
					.filter(ValidateCommand::isFhirFileName)
					.map(Path::normalize)
					.sorted()
					.forEach(files::add);
			}
			catch (IOException | UncheckedIOException e) {
				throw new ValidateOptions.UsageException("cannot read directory " + path + ": " + e.getMessage());
			}
		}
		if (files.isEmpty()) {
			throw new ValidateOptions.UsageException("no *.json or *.xml file found in " + paths);
		}
		return new ArrayList<>(files);
	}

	private static boolean isFhirFileName(Path file) {
		String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
		return (name.endsWith(".json") || name.endsWith(".xml")) && !name.startsWith(".");
	}

	/**
	 * One file per task on as many threads as there are cores: the validator is
	 * thread-safe and keeps one InstanceValidator per thread. Results keep the order of
	 * {@code files}.
	 */
	private static List<FileValidation> validateAll(FileValidator validator, List<Path> files) {
		int threads = Math.max(1, Math.min(files.size(), Runtime.getRuntime().availableProcessors()));
		if (threads == 1) {
			return files.stream().map(validator::validate).toList();
		}
		ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
			Thread t = new Thread(r, "validate");
			t.setDaemon(true);
			return t;
		});
		try {
			List<Future<FileValidation>> futures = new ArrayList<>();
			for (Path file : files) {
				futures.add(pool.submit(() -> validator.validate(file)));
			}
			List<FileValidation> results = new ArrayList<>();
			for (Future<FileValidation> future : futures) {
				results.add(future.get());
			}
			return results;
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", e);
		}
		catch (ExecutionException e) {
			throw new IllegalStateException("validation failed: " + e.getCause(), e.getCause());
		}
		finally {
			pool.shutdownNow();
		}
	}

}
