package org.hemefhir.ig.build;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.instance.model.api.IBaseResource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The sources of the implementation guide as found in {@code fhir-profiles/}: conformance
 * resources anywhere, valid examples in folders named {@code examples}. Folders named
 * {@code invalid} and {@code tests} hold test material and are not part of the package.
 */
public record IgSources(List<Source> conformance, List<Source> examples) {

	public record Source(Path file, IBaseResource resource) {
	}

	public static IgSources read(FhirContext ctx, Path root) {
		List<Source> conformance = new ArrayList<>();
		List<Source> examples = new ArrayList<>();
		try (Stream<Path> files = Files.walk(root)) {
			for (Path file : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
				Path rel = root.relativize(file);
				if (hasFolder(rel, "invalid") || hasFolder(rel, "tests")) {
					continue;
				}
				IBaseResource resource;
				try {
					resource = ctx.newJsonParser().parseResource(Files.readString(file, StandardCharsets.UTF_8));
				}
				catch (RuntimeException e) {
					throw new IllegalStateException("Cannot parse " + rel + ": " + e.getMessage(), e);
				}
				(hasFolder(rel, "examples") ? examples : conformance).add(new Source(rel, resource));
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return new IgSources(List.copyOf(conformance), List.copyOf(examples));
	}

	private static boolean hasFolder(Path rel, String name) {
		for (int i = 0; i < rel.getNameCount() - 1; i++) {
			if (rel.getName(i).toString().equals(name)) {
				return true;
			}
		}
		return false;
	}
}
