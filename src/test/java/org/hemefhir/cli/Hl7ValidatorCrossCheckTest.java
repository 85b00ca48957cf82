package org.hemefhir.cli;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.convertors.factory.VersionConvertorFactory_40_50;
import org.hl7.fhir.exceptions.DefinitionException;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r5.context.SimpleWorkerContext;
import org.hl7.fhir.r5.elementmodel.Manager;
import org.hl7.fhir.r5.model.CanonicalResource;
import org.hl7.fhir.r5.model.Parameters;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.utils.validation.ValidatorSession;
import org.hl7.fhir.r5.utils.validation.constants.ReferenceValidationPolicy;
import org.hl7.fhir.r5.utils.xver.XVerExtensionManagerOld;
import org.hl7.fhir.utilities.npm.NpmPackage;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.hl7.fhir.validation.ValidatorSettings;
import org.hl7.fhir.validation.ValidatorUtils;
import org.hl7.fhir.validation.instance.InstanceValidator;
import org.hl7.fhir.validation.instance.advisor.BasePolicyAdvisorForFullValidation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HL7 validation engine (org.hl7.fhir.validation's {@link InstanceValidator} over a
 * {@link SimpleWorkerContext}, no HemeFHIR code) and our {@code validate} command must agree, file
 * by file, on whether each example of fhir-profiles/ and sample-bundles/ has errors.
 *
 * <p>The engine's context holds the FHIR R4 core definitions (from hapi-fhir-validation-resources-r4,
 * since hl7.fhir.r4.core cannot be downloaded here) plus the built package
 * {@code target/hemefhir.r4-<version>.tgz}. {@code ValidationEngine} itself cannot be used offline: its
 * builder fetches hl7.fhir.xver-extensions from packages.fhir.org. No terminology server: codes of
 * LOINC, SNOMED CT etc. are not checked (unknown system: a warning, not an error).
 */
class Hl7ValidatorCrossCheckTest {

	private static final String[] CORE_BUNDLES = {
		"/org/hl7/fhir/r4/model/profile/profiles-types.xml",
		"/org/hl7/fhir/r4/model/profile/profiles-resources.xml",
		"/org/hl7/fhir/r4/model/profile/profiles-others.xml",
		"/org/hl7/fhir/r4/model/extension/extension-definitions.xml",
		"/org/hl7/fhir/r4/model/valueset/valuesets.xml",
		"/org/hl7/fhir/r4/model/valueset/v3-codesystems.xml",
		"/org/hl7/fhir/r4/model/valueset/v2-tables.xml"
	};

	/**
	 * A code of an external system (LOINC, SNOMED CT, ATC, NCIt) that is not in the profile's
	 * enumerated required value set. HemeFHIR's chain checks the membership in memory and reports an
	 * error; the HL7 engine without a terminology server does not check codes of systems it does not
	 * hold and only warns that it could not. Every other file must agree.
	 *
	 * <p>Tried and rejected (org.hl7.fhir.r5 / validation 6.7.9): no ValidationOptions or context
	 * setting makes the engine decide membership in an enumerated include of an unknown CodeSystem
	 * ({@code ValueSetValidator.inComponent} answers "unknown" and, without a client, the context turns
	 * that into a warning). Handing the context {@code content = fragment} CodeSystems built from our
	 * ValueSets' concepts does not help either: {@code BaseWorkerContext.validateCode} never validates
	 * codes of {@code ValueSetUtilities.isServerSide} systems (LOINC, SNOMED CT, RxNorm, ICD-10-CM, ...)
	 * locally, whatever CodeSystems it holds (5 of the 8 files stay unchecked), and for value sets that
	 * mix such a system with ATC or NCIt (drug, ctcae-term) it then reports valid enumerated codes as
	 * not in the value set (e.g. ATC L01XX52 in therapy/examples/example-venetoclax.json).
	 */
	static final List<String> EXTERNAL_CODE_OUTSIDE_VALUE_SET = List.of(
			"fhir-profiles/profiles/adverse/invalid/ae-event-outside-value-set.json",
			"fhir-profiles/profiles/genomics/invalid/variant-value-outside-value-set.json",
			"fhir-profiles/profiles/lab/invalid/cd38-code-outside-value-set.json",
			"fhir-profiles/profiles/patient/invalid/diagnosis-code-outside-value-set.json",
			"fhir-profiles/profiles/therapy/invalid/administration-unknown-drug-code.json",
			"fhir-profiles/profiles/therapy/invalid/transfusion-code-outside-value-set.json",
			"fhir-profiles/profiles/transplant/invalid/hsct-code-outside-value-set.json",
			"sample-bundles/invalid/medication-unknown-drug-code.json");

	private static SimpleWorkerContext context;

	@BeforeAll
	static void loadCoreAndPackage() throws Exception {
		context = new SimpleWorkerContext.SimpleWorkerContextBuilder().withAllowLoadingDuplicates(true).fromNothing();
		context.setCanRunWithoutTerminology(true);
		context.setExpansionParameters(new Parameters());
		FhirContext r4 = FhirContext.forR4Cached();
		for (String file : CORE_BUNDLES) {
			try (InputStream in = Hl7ValidatorCrossCheckTest.class.getResourceAsStream(file)) {
				assertThat(in).as(file).isNotNull();
				Bundle bundle = r4.newXmlParser().parseResource(Bundle.class, new InputStreamReader(in, StandardCharsets.UTF_8));
				for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
					if (VersionConvertorFactory_40_50.convertResource(entry.getResource()) instanceof CanonicalResource canonical) {
						try {
							context.cacheResource(canonical);
						} catch (DefinitionException alreadyKnown) {
							// a few terminology resources ship with the engine itself
						}
					}
				}
			}
		}
		Path tgz;
		try (Stream<Path> files = Files.list(Path.of("target"))) {
			tgz = files.filter(p -> p.getFileName().toString().matches("hemefhir\\.r4-.+\\.tgz")).findFirst().orElseThrow();
		}
		try (InputStream in = Files.newInputStream(tgz)) {
			context.loadFromPackage(NpmPackage.fromPackage(in), ValidatorUtils.loaderForVersion("4.0.1"));
		}
		assertThat(context.fetchResource(StructureDefinition.class, "http://hemefhir.org/fhir/StructureDefinition/hemefhir-mrd"))
				.isNotNull();
	}

	private static InstanceValidator newValidator() {
		InstanceValidator validator = new InstanceValidator(context, null, new XVerExtensionManagerOld(context),
				new ValidatorSession(), new ValidatorSettings());
		validator.setUnknownCodeSystemsCauseErrors(false);
		// references point at stored data (conditional references to the case patient): not checked offline
		validator.setPolicyAdvisor(new BasePolicyAdvisorForFullValidation(ReferenceValidationPolicy.IGNORE, null));
		return validator;
	}

	@Test
	void hl7EngineAndValidateCommandAgreeOnEveryExample() throws Exception {
		Map<String, String> profiles = new HashMap<>();
		for (String table : List.of("fhir-profiles/tests/valid.csv", "fhir-profiles/tests/invalid.csv")) {
			Files.readAllLines(Path.of(table)).stream().skip(1).map(line -> line.split(",", 3))
					.forEach(row -> profiles.put("fhir-profiles/" + row[0], "http://hemefhir.org/fhir/StructureDefinition/" + row[1]));
		}
		List<Path> files = new ArrayList<>();
		for (String dir : List.of("fhir-profiles/profiles", "sample-bundles")) {
			try (Stream<Path> walk = Files.walk(Path.of(dir))) {
				walk.filter(p -> p.toString().endsWith(".json"))
						.filter(p -> !ValidateCommandTest.TRANSACTION_PROCESSING_ONLY.contains(p.getFileName().toString()))
						.filter(p -> p.startsWith("sample-bundles") || p.toString().contains("/examples/") || p.toString().contains("/invalid/"))
						.sorted().forEach(files::add);
			}
		}
		assertThat(files).hasSizeGreaterThan(90);

		// the command is given the profile the engine is given: from the tables for fhir-profiles/,
		// none (declared meta.profile) for sample-bundles/
		Map<String, Boolean> ours = new HashMap<>();
		Map<String, List<Path>> byProfile = new TreeMap<>();
		for (Path file : files) {
			byProfile.computeIfAbsent(profiles.getOrDefault(file.toString(), ""), k -> new ArrayList<>()).add(file);
		}
		byProfile.forEach((profile, group) -> ours.putAll(ourVerdicts(profile, group)));
		InstanceValidator hl7 = newValidator();
		Map<String, String> disagreements = new TreeMap<>();
		int withErrors = 0;
		for (Path file : files) {
			String key = file.toString();
			List<StructureDefinition> explicit = new ArrayList<>();
			if (key.startsWith("fhir-profiles/")) {
				assertThat(profiles).as("%s is listed in fhir-profiles/tests/*.csv", key).containsKey(key);
				explicit.add(context.fetchResource(StructureDefinition.class, profiles.get(key)));
			}
			List<ValidationMessage> messages = new ArrayList<>();
			hl7.validate(null, messages, new ByteArrayInputStream(Files.readAllBytes(file)), Manager.FhirFormat.JSON, explicit);
			List<String> errors = messages.stream().filter(m -> m.getLevel().isError())
					.map(m -> m.getLocation() + ": " + m.getMessage()).toList();
			withErrors += errors.isEmpty() ? 0 : 1;
			if (!errors.isEmpty() != ours.get(key)) {
				disagreements.put(key, "HL7 engine " + (errors.isEmpty() ? "no errors" : errors) + ", validate command "
						+ (ours.get(key) ? "errors" : "no errors"));
			}
		}

		assertThat(disagreements.keySet()).as("files where the HL7 engine and `validate` disagree: %s", disagreements)
				.containsExactlyInAnyOrderElementsOf(EXTERNAL_CODE_OUTSIDE_VALUE_SET);
		assertThat(withErrors).as("files with errors (every invalid example)").isGreaterThan(60);
	}

	/** Error or not per file, from one run of the command with the JSON report. */
	private static Map<String, Boolean> ourVerdicts(String profile, List<Path> files) {
		Stream<String> options = profile.isEmpty() ? Stream.of("--format", "json") : Stream.of("--format", "json", "--profile", profile);
		String[] args = Stream.concat(options, files.stream().map(Path::toString)).toArray(String[]::new);
		ValidateCommandTest.Run run = ValidateCommandTest.run(args);
		Bundle report = FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class, run.out());
		Map<String, Boolean> verdicts = new HashMap<>();
		Path cwd = Path.of("").toAbsolutePath();
		for (Bundle.BundleEntryComponent entry : report.getEntry()) {
			String file = cwd.relativize(Path.of(java.net.URI.create(entry.getFullUrl()))).toString();
			boolean errors = ((OperationOutcome) entry.getResource()).getIssue().stream()
					.anyMatch(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
							|| i.getSeverity() == OperationOutcome.IssueSeverity.FATAL);
			verdicts.put(file, errors);
		}
		assertThat(verdicts).hasSize(files.size());
		return verdicts;
	}
}
