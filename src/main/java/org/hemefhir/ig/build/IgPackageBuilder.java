package org.hemefhir.ig.build;

import org.hemefhir.validation.HemeFhirIg;
import ca.uhn.fhir.context.FhirContext;
import org.hemefhir.validation.IgPackage;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.StructureDefinition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the HemeFHIR implementation guide package from {@code fhir-profiles/}: snapshots
 * for every StructureDefinition (the build fails on any snapshot error), then a standard
 * FHIR NPM package.
 *
 * <p>
 * Usage:
 * {@code IgPackageBuilder <fhir-profiles dir> <version> <target dir> <classes dir>};
 * writes {@code <target>/hemefhir.r4-<version>.tgz} and the same bytes to
 * {@code <classes>/ig/hemefhir.r4.tgz}, then the profile pages ({@link IgSiteGenerator})
 * to {@code <target>/ig-site/} and {@code <classes>/ig-site/}. Run by Maven at
 * {@code process-classes}.
 */
public final class IgPackageBuilder {

	private IgPackageBuilder() {
	}

	public static void main(String[] args) throws IOException {
		if (args.length != 4) {
			throw new IllegalArgumentException(
					"usage: IgPackageBuilder <fhir-profiles dir> <version> <target dir> <classes output dir>");
		}
		long start = System.nanoTime();
		Path target = Path.of(args[2]);
		byte[] tgz = build(Path.of(args[0]), args[1]);
		Path archive = target.resolve(HemeFhirIg.PACKAGE_NAME + "-" + args[1] + ".tgz");
		Path onClasspath = Path.of(args[3]).resolve(HemeFhirIg.CLASSPATH_PACKAGE.substring(1));
		Files.createDirectories(target);
		Files.createDirectories(onClasspath.getParent());
		Files.write(archive, tgz);
		Files.write(onClasspath, tgz);
		// the readable pages, from the package just written: target/ig-site/ and, served
		// at /ig/, the classpath
		IgSiteGenerator site = new IgSiteGenerator(FhirContext.forR4Cached(),
				IgPackage.read(FhirContext.forR4Cached(), new java.io.ByteArrayInputStream(tgz)));
		site.write(target.resolve("ig-site"), tgz);
		site.write(Path.of(args[3]).resolve("ig-site"), tgz);
		System.out.printf("[hemefhir-ig] wrote %s (%d bytes) in %d ms%n", archive, tgz.length,
				(System.nanoTime() - start) / 1_000_000);
	}

	/**
	 * Reads, checks and packages the sources; throws {@link IllegalStateException}
	 * listing every error.
	 */
	public static byte[] build(Path sourceDir, String version) throws IOException {
		FhirContext ctx = FhirContext.forR4Cached();
		IgSources sources = IgSources.read(ctx, sourceDir);
		List<String> errors = new ArrayList<>();
		List<IBaseResource> conformance = new ArrayList<>();
		List<StructureDefinition> definitions = new ArrayList<>();
		Set<String> keys = new HashSet<>();
		for (IgSources.Source source : sources.conformance()) {
			IBaseResource resource = source.resource();
			checkIdentity(ctx, source, keys, errors);
			if (resource instanceof MetadataResource canonical) {
				canonical.setVersion(version);
				if (canonical.getUrl() == null || !canonical.getUrl().startsWith(HemeFhirIg.CANONICAL_BASE + "/")) {
					errors.add(source.file() + ": url must start with " + HemeFhirIg.CANONICAL_BASE + "/");
				}
			}
			if (resource instanceof StructureDefinition sd) {
				definitions.add(sd);
			}
			conformance.add(resource);
		}
		List<IBaseResource> examples = new ArrayList<>();
		for (IgSources.Source source : sources.examples()) {
			checkIdentity(ctx, source, keys, errors);
			examples.add(source.resource());
		}
		errors.addAll(new SnapshotGenerator(ctx).generateAll(definitions));
		if (!errors.isEmpty()) {
			throw new IllegalStateException(
					"HemeFHIR IG has " + errors.size() + " error(s):\n  " + String.join("\n  ", errors));
		}
		return new NpmPackageWriter(ctx, version).write(conformance, examples);
	}

	private static void checkIdentity(FhirContext ctx, IgSources.Source source, Set<String> keys, List<String> errors) {
		String id = source.resource().getIdElement().getIdPart();
		if (id == null) {
			errors.add(source.file() + ": resource has no id");
		}
		else if (!keys.add(ctx.getResourceType(source.resource()) + "/" + id)) {
			errors.add(source.file() + ": duplicate " + ctx.getResourceType(source.resource()) + "/" + id);
		}
	}

}
