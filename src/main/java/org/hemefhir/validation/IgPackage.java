package org.hemefhir.validation;

import ca.uhn.fhir.context.FhirContext;
import org.hemefhir.validation.HemeFhirIg;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.utilities.npm.NpmPackage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The resources of a HemeFHIR NPM package ({@code hemefhir.r4-*.tgz}), read without
 * network.
 */
public record IgPackage(String name, String version, List<IBaseResource> conformance, List<IBaseResource> examples) {

	/**
	 * Reads the package the build put on the classpath
	 * ({@value HemeFhirIg#CLASSPATH_PACKAGE}).
	 */
	public static IgPackage fromClasspath(FhirContext ctx) {
		try (InputStream in = IgPackage.class.getResourceAsStream(HemeFhirIg.CLASSPATH_PACKAGE)) {
			if (in == null) {
				throw new IllegalStateException("IG package " + HemeFhirIg.CLASSPATH_PACKAGE
						+ " is not on the classpath; build it with ./mvnw process-classes");
			}
			return read(ctx, in);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	public static IgPackage fromFile(FhirContext ctx, Path tgz) {
		try (InputStream in = Files.newInputStream(tgz)) {
			return read(ctx, in);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	public static IgPackage read(FhirContext ctx, InputStream tgz) throws IOException {
		NpmPackage npm = NpmPackage.fromPackage(tgz);
		return new IgPackage(npm.name(), npm.version(), load(ctx, npm, "package"), load(ctx, npm, "example"));
	}

	private static List<IBaseResource> load(FhirContext ctx, NpmPackage npm, String folder) throws IOException {
		List<IBaseResource> resources = new ArrayList<>();
		if (!npm.getFolders().containsKey(folder)) {
			return resources;
		}
		for (String file : npm.list(folder)) {
			if (!file.endsWith(".json") || file.startsWith(".") || file.equals("package.json")) {
				continue;
			}
			try (InputStream in = npm.load(folder, file)) {
				resources.add(ctx.newJsonParser().parseResource(in));
			}
		}
		return resources;
	}
}
