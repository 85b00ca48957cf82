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
import org.hl7.fhir.r5.model.CodeSystem;
import org.hl7.fhir.r5.model.Enumerations;
import org.hl7.fhir.r5.terminologies.ValueSetUtilities;
import org.hl7.fhir.r5.terminologies.client.TerminologyClientContext;
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
 * {@link SimpleWorkerContext}, no HemeFHIR code) and our {@code validate} command must
 * agree, file by file, on whether each example of fhir-profiles/ and sample-bundles/ has
 * errors.
 *
 * <p>
 * The engine's context holds the FHIR R4 core definitions (from
 * hapi-fhir-validation-resources-r4, since hl7.fhir.r4.core cannot be downloaded here)
 * plus the built package {@code target/hemefhir.r4-<version>.tgz}.
 * {@code ValidationEngine} itself cannot be used offline: its builder fetches
 * hl7.fhir.xver-extensions from packages.fhir.org.
 *
 * <p>
 * The engine leaves membership of LOINC, SNOMED CT, ICD-10-CM, ATC or NCIt codes in a
 * value set to a terminology server. The server it gets here is
 * {@link ExtensionalTerminologyService}, in process: it decides enumerated value sets
 * only and knows no code system, so the engine still cannot say whether a LOINC code
 * exists (a warning on both sides) but does say when a code is outside one of our
 * required value sets (an error on both sides).
 */
class Hl7ValidatorCrossCheckTest {

	private static final String[] CORE_BUNDLES = { "/org/hl7/fhir/r4/model/profile/profiles-types.xml",
			"/org/hl7/fhir/r4/model/profile/profiles-resources.xml",
			"/org/hl7/fhir/r4/model/profile/profiles-others.xml",
			"/org/hl7/fhir/r4/model/extension/extension-definitions.xml",
			"/org/hl7/fhir/r4/model/valueset/valuesets.xml", "/org/hl7/fhir/r4/model/valueset/v3-codesystems.xml",
			"/org/hl7/fhir/r4/model/valueset/v2-tables.xml" };

	private static SimpleWorkerContext context;

	private static final ExtensionalTerminologyService terminology = new ExtensionalTerminologyService();

	@BeforeAll
	static void loadCoreAndPackage() throws Exception {
		context = new SimpleWorkerContext.SimpleWorkerContextBuilder().withAllowLoadingDuplicates(true).fromNothing();
		context.setCanRunWithoutTerminology(true);
		context.setExpansionParameters(new Parameters());
		// the service does not claim to pass HL7's terminology test suite (the CLI's
		// -authorise-non-conformant-tx-servers)
		TerminologyClientContext.setAllowNonConformantServers(true);
		context.connectToTSServer(ExtensionalTerminologyService.NO_OTHER_SERVERS, terminology, false);
		FhirContext r4 = FhirContext.forR4Cached();
		for (String file : CORE_BUNDLES) {
			try (InputStream in = Hl7ValidatorCrossCheckTest.class.getResourceAsStream(file)) {
				assertThat(in).as(file).isNotNull();
				Bundle bundle = r4.newXmlParser()
					.parseResource(Bundle.class, new InputStreamReader(in, StandardCharsets.UTF_8));
				for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
					if (VersionConvertorFactory_40_50
						.convertResource(entry.getResource()) instanceof CanonicalResource canonical) {
						try {
							context.cacheResource(canonical);
						}
						catch (DefinitionException alreadyKnown) {
							// a few terminology resources ship with the engine itself
						}
					}
				}
			}
		}
		Path tgz;
		try (Stream<Path> files = Files.list(Path.of("target"))) {
			tgz = files.filter(p -> p.getFileName().toString().matches("hemefhir\\.r4-.+\\.tgz"))
				.findFirst()
				.orElseThrow();
		}
		NpmPackage ig;
		try (InputStream in = Files.newInputStream(tgz)) {
			ig = NpmPackage.fromPackage(in);
		}
		context.loadFromPackage(ig, ValidatorUtils.loaderForVersion("4.0.1"));
		declareExternalCodeSystems(ig, r4);
		assertThat(context.fetchResource(StructureDefinition.class,
				"http://hemefhir.org/fhir/StructureDefinition/hemefhir-mrd"))
			.isNotNull();
	}

	/**
	 * The external code systems our value sets enumerate from and the engine cannot
	 * resolve (ATC, NCIt, MedDRA) become {@code content = not-present} CodeSystems: the
	 * system exists, its codes live on the terminology server. Without one the engine
	 * stops at "CodeSystem unknown" (a warning) and never asks the server whether the
	 * code is in the value set. LOINC, SNOMED CT and the other systems the engine always
	 * sends to a server need no such declaration.
	 */
	private static void declareExternalCodeSystems(NpmPackage ig, FhirContext r4) throws Exception {
		for (String file : ig.listResources("ValueSet")) {
			org.hl7.fhir.r4.model.ValueSet valueSet;
			try (InputStream in = ig.load("package", file)) {
				valueSet = r4.newJsonParser().parseResource(org.hl7.fhir.r4.model.ValueSet.class, in);
			}
			for (org.hl7.fhir.r4.model.ValueSet.ConceptSetComponent include : valueSet.getCompose().getInclude()) {
				String system = include.getSystem();
				if (system != null && !ValueSetUtilities.isServerSide(system)
						&& context.fetchCodeSystem(system) == null) {
					CodeSystem external = new CodeSystem();
					external.setUrl(system)
						.setStatus(Enumerations.PublicationStatus.ACTIVE)
						.setContent(Enumerations.CodeSystemContentMode.NOTPRESENT);
					context.cacheResource(external);
				}
			}
		}
	}

	private static InstanceValidator newValidator() {
		InstanceValidator validator = new InstanceValidator(context, null, new XVerExtensionManagerOld(context),
				new ValidatorSession(), new ValidatorSettings());
		validator.setUnknownCodeSystemsCauseErrors(false);
		// references point at stored data (conditional references to the case patient):
		// not checked offline
		validator.setPolicyAdvisor(new BasePolicyAdvisorForFullValidation(ReferenceValidationPolicy.IGNORE, null));
		return validator;
	}

	@Test
	void hl7EngineAndValidateCommandAgreeOnEveryExample() throws Exception {
		Map<String, String> profiles = new HashMap<>();
		for (String table : List.of("fhir-profiles/tests/valid.csv", "fhir-profiles/tests/invalid.csv")) {
			Files.readAllLines(Path.of(table))
				.stream()
				.skip(1)
				.map(line -> line.split(",", 3))
				// "bundle": a Bundle whose entries take their inferred profiles (no
				// explicit one)
				.forEach(row -> profiles.put("fhir-profiles/" + row[0],
						"bundle".equals(row[1]) ? "" : "http://hemefhir.org/fhir/StructureDefinition/" + row[1]));
		}
		List<Path> files = new ArrayList<>();
		for (String dir : List.of("fhir-profiles/profiles", "sample-bundles")) {
			try (Stream<Path> walk = Files.walk(Path.of(dir))) {
				walk.filter(p -> p.toString().endsWith(".json"))
					.filter(p -> p.startsWith("sample-bundles") || p.toString().contains("/examples/")
							|| p.toString().contains("/invalid/"))
					.sorted()
					.forEach(files::add);
			}
		}
		assertThat(files).hasSizeGreaterThan(90);

		// the command is given the profile the engine is given: from the tables for
		// fhir-profiles/,
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
				if (!profiles.get(key).isEmpty()) {
					explicit.add(context.fetchResource(StructureDefinition.class, profiles.get(key)));
				}
			}
			List<ValidationMessage> messages = new ArrayList<>();
			hl7.validate(null, messages, new ByteArrayInputStream(Files.readAllBytes(file)), Manager.FhirFormat.JSON,
					explicit);
			List<String> errors = messages.stream()
				.filter(m -> m.getLevel().isError())
				.map(m -> m.getLocation() + ": " + m.getMessage())
				.toList();
			withErrors += errors.isEmpty() ? 0 : 1;
			if (!errors.isEmpty() != ours.get(key)) {
				disagreements.put(key, "HL7 engine " + (errors.isEmpty() ? "no errors" : errors) + ", validate command "
						+ (ours.get(key) ? "errors" : "no errors"));
			}
		}

		assertThat(disagreements).as("files where the HL7 engine and `validate` disagree").isEmpty();
		assertThat(terminology.getUseCount()).as("codes the engine sent to the terminology service").isGreaterThan(0);
		assertThat(withErrors).as("files with errors (every invalid example)").isGreaterThan(60);
	}

	/** Error or not per file, from one run of the command with the JSON report. */
	private static Map<String, Boolean> ourVerdicts(String profile, List<Path> files) {
		Stream<String> options = profile.isEmpty() ? Stream.of("--format", "json")
				: Stream.of("--format", "json", "--profile", profile);
		String[] args = Stream.concat(options, files.stream().map(Path::toString)).toArray(String[]::new);
		ValidateCommandTest.Run run = ValidateCommandTest.run(args);
		Bundle report = FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class, run.out());
		Map<String, Boolean> verdicts = new HashMap<>();
		Path cwd = Path.of("").toAbsolutePath();
		for (Bundle.BundleEntryComponent entry : report.getEntry()) {
			String file = cwd.relativize(Path.of(java.net.URI.create(entry.getFullUrl()))).toString();
			boolean errors = ((OperationOutcome) entry.getResource()).getIssue()
				.stream()
				.anyMatch(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
						|| i.getSeverity() == OperationOutcome.IssueSeverity.FATAL);
			verdicts.put(file, errors);
		}
		assertThat(verdicts).hasSize(files.size());
		return verdicts;
	}

}
