package org.hemefhir.ig.build;

import org.hemefhir.validation.HemeFhirIg;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.ValidationOptions;
import ca.uhn.fhir.validation.ValidationResult;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.NpmPackageValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.utilities.npm.NpmPackage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated package, used the way an outside validator would use it: a fresh HAPI
 * chain.
 */
class IgPackageTest {

	private static final FhirContext CTX = FhirContext.forR4Cached();

	private static Path archive;

	private static NpmPackage npm;

	@BeforeAll
	static void findPackage() throws IOException {
		try (Stream<Path> files = Files.list(Path.of("target"))) {
			archive = files.filter(p -> p.getFileName().toString().matches("hemefhir\\.r4-.+\\.tgz"))
				.findFirst()
				.orElseThrow(() -> new AssertionError("target/hemefhir.r4-<version>.tgz missing: run process-classes"));
		}
		try (InputStream in = Files.newInputStream(archive)) {
			npm = NpmPackage.fromPackage(in);
		}
	}

	@Test
	void isAStandardFhirNpmPackage() throws IOException {
		assertThat(npm.name()).isEqualTo(HemeFhirIg.PACKAGE_NAME);
		assertThat(archive.getFileName().toString()).isEqualTo("hemefhir.r4-" + npm.version() + ".tgz");
		assertThat(npm.fhirVersion()).isEqualTo("4.0.1");
		assertThat(npm.canonical()).isEqualTo(HemeFhirIg.CANONICAL_BASE);
		assertThat(npm.dependencies()).contains("hl7.fhir.r4.core#4.0.1");
		assertThat(npm.listResources("StructureDefinition")).hasSizeGreaterThanOrEqualTo(16 + 15);
		assertThat(npm.listResources("ValueSet", "CodeSystem", "SearchParameter")).isNotEmpty();
		assertThat(npm.list("example")).isNotEmpty();
		try (InputStream onClasspath = IgPackageTest.class.getResourceAsStream(HemeFhirIg.CLASSPATH_PACKAGE)) {
			assertThat(onClasspath).as("classpath copy").isNotNull();
			assertThat(onClasspath.readAllBytes()).isEqualTo(Files.readAllBytes(archive));
		}
	}

	@Test
	void everyStructureDefinitionHasASnapshotThatRegeneratesWithoutErrors() throws IOException {
		List<StructureDefinition> definitions = npm.listResources("StructureDefinition")
			.stream()
			.map(IgPackageTest::load)
			.map(StructureDefinition.class::cast)
			.toList();
		for (StructureDefinition sd : definitions) {
			assertThat(sd.getSnapshot().getElement()).as("snapshot of %s", sd.getUrl()).isNotEmpty();
		}

		List<String> errors = new SnapshotGenerator(CTX)
			.generateAll(definitions.stream().map(StructureDefinition::copy).toList());

		assertThat(errors).isEmpty();
	}

	@Test
	void loadsInAFreshHapiValidationChainAndValidatesTheExamples() throws IOException {
		NpmPackageValidationSupport ig = new NpmPackageValidationSupport(CTX);
		ig.loadPackageFromClasspath("classpath:" + HemeFhirIg.CLASSPATH_PACKAGE.substring(1));
		ValidationSupportChain chain = new ValidationSupportChain(new DefaultProfileValidationSupport(CTX), ig,
				new CommonCodeSystemsTerminologyService(CTX), new InMemoryTerminologyServerValidationSupport(CTX),
				new SnapshotGeneratingValidationSupport(CTX), unknownSystemsAsWarnings());
		FhirValidator validator = CTX.newValidator().registerValidatorModule(new FhirInstanceValidator(chain));

		IBaseResource anc = load(npm.getFolders().get("example"), "Observation-example-anc-day31.json");
		ValidationResult result = validator.validateWithResult(anc,
				new ValidationOptions().addProfile(HemeFhirIg.profileUrl("blood-count")));

		assertThat(result.getMessages())
			.filteredOn(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
			.isEmpty();
		assertThat(chain.fetchStructureDefinition(HemeFhirIg.profileUrl("mrd"))).isNotNull();
	}

	/**
	 * LOINC, SNOMED CT etc. are not held offline: without this, HAPI reports every such
	 * code as an error.
	 */
	private static UnknownCodeSystemWarningValidationSupport unknownSystemsAsWarnings() {
		UnknownCodeSystemWarningValidationSupport support = new UnknownCodeSystemWarningValidationSupport(CTX);
		support.setNonExistentCodeSystemSeverity(ca.uhn.fhir.context.support.IValidationSupport.IssueSeverity.WARNING);
		return support;
	}

	private static IBaseResource load(String file) {
		return load(npm.getFolders().get("package"), file);
	}

	private static IBaseResource load(NpmPackage.NpmPackageFolder folder, String file) {
		try {
			return CTX.newJsonParser()
				.parseResource(new String(folder.fetchFile(file), java.nio.charset.StandardCharsets.UTF_8));
		}
		catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

}
