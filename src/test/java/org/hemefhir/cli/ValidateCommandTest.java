package org.hemefhir.cli;

import ca.uhn.fhir.context.FhirContext;
import org.hemefhir.validation.ProfileValidator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code validate} command: formats, exit codes, XML handling, and the sample table.
 */
class ValidateCommandTest {

	private static final ProfileValidator VALIDATOR = ProfileValidator.fromClasspath();

	private static final FhirContext CTX = VALIDATOR.fhirContext();

	private static final String VALID = "fhir-profiles/profiles/lab/examples/example-anc-day31.json";

	private static final String INVALID = "sample-bundles/invalid/blood-count-anc-in-mg-dl.json";

	/**
	 * Samples of sample-bundles/invalid/ the server refuses while processing the
	 * transaction, not by validation: offline each is a valid resource or bundle
	 * (documented in docs/validation.md).
	 */
	static final Set<String> TRANSACTION_PROCESSING_ONLY = Set.of("resource-type-mismatch.json", // a
																									// valid
																									// Patient;
																									// only
																									// the
																									// URL
																									// /fhir/Observation
																									// makes
																									// it
																									// wrong
			"transaction-reference-to-missing-patient.json", // needs the server's stored
																// patients
			"transaction-unresolved-urn-uuid.json", // the validator only warns about an
													// unresolved urn:uuid
			"bundle-type-collection-posted-as-transaction.json"); // a valid collection
																	// bundle

	@TempDir
	Path tmp;

	record Run(int exit, String out, String err) {
	}

	static Run run(String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		int exit = ValidateCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8), () -> VALIDATOR);
		return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}

	@Test
	void validFileExitsZeroWithSummary() {
		Run run = run(VALID);

		assertThat(run.exit()).isZero();
		assertThat(run.out()).contains("1 file(s) validated").contains("0 with errors, 1 without; 0 error(s)");
	}

	@Test
	void invalidFileGivesOneLinePerIssueAndExitOne() {
		Run run = run(INVALID);

		assertThat(run.exit()).isEqualTo(1);
		assertThat(run.out()).containsPattern(Pattern.quote(INVALID)
				+ ":\\d+:\\d+: error: Observation\\.value\\.ofType\\(Quantity\\): Constraint failed: hf-bc-1");
		assertThat(run.out()).contains("1 with errors, 0 without");
	}

	@Test
	void directoriesAreWalkedRecursivelyForJsonAndXml() throws IOException {
		long jsonFiles;
		try (Stream<Path> files = Files.walk(Path.of("fhir-profiles/profiles"))) {
			jsonFiles = files.filter(p -> p.toString().endsWith(".json")).count();
		}
		Files.writeString(tmp.resolve("notes.txt"), "not FHIR");
		Files.createDirectories(tmp.resolve("deeper"));
		Files.writeString(tmp.resolve("deeper/anc.xml"), toXml(VALID));

		long exampleFiles;
		try (Stream<Path> lab = Files.list(Path.of("fhir-profiles/profiles/lab/examples"));
				Stream<Path> therapy = Files.list(Path.of("fhir-profiles/profiles/therapy/examples"))) {
			exampleFiles = Stream.concat(lab, therapy).filter(p -> p.toString().endsWith(".json")).count();
		}
		Run examples = run("fhir-profiles/profiles/lab/examples", "fhir-profiles/profiles/therapy/examples");
		Run all = run("fhir-profiles/profiles");
		Run xml = run(tmp.toString());

		assertThat(examples.exit()).isZero();
		assertThat(examples.out()).contains(exampleFiles + " file(s) validated").contains("0 with errors");
		assertThat(all.exit()).isEqualTo(1);
		assertThat(all.out()).contains(jsonFiles + " file(s) validated");
		assertThat(xml.out()).contains("1 file(s) validated").contains("0 with errors");
	}

	@Test
	void jsonFormatIsABundleWithOneOperationOutcomePerFile() {
		Run run = run("--format", "json", VALID, INVALID);

		Bundle bundle = CTX.newJsonParser().parseResource(Bundle.class, run.out());
		assertThat(run.exit()).isEqualTo(1);
		assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.COLLECTION);
		assertThat(bundle.getEntry()).hasSize(2);
		assertThat(bundle.getEntry().get(0).getFullUrl()).startsWith("file:/").endsWith("example-anc-day31.json");
		OperationOutcome valid = (OperationOutcome) bundle.getEntry().get(0).getResource();
		OperationOutcome invalid = (OperationOutcome) bundle.getEntry().get(1).getResource();
		assertThat(valid.getIssue()).noneMatch(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR);
		assertThat(invalid.getIssue()).anySatisfy(issue -> {
			assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
			assertThat(issue.getDiagnostics()).contains("hf-bc-1");
			assertThat(issue.getExpression().get(0).getValue()).isEqualTo("Observation.value.ofType(Quantity)");
			assertThat(issue.getExtensionByUrl(Reports.LINE_EXTENSION)).isNotNull();
		});
	}

	@Test
	void junitFormatHasOneTestcasePerFileAndFailsTheInvalidOne() throws Exception {
		Run run = run("--format=junit", VALID, INVALID, "sample-bundles/invalid/malformed-json.json");

		Document xml = parseXml(run.out());
		NodeList cases = xml.getElementsByTagName("testcase");
		assertThat(run.exit()).isEqualTo(1);
		assertThat(((Element) xml.getElementsByTagName("testsuite").item(0)).getAttribute("tests")).isEqualTo("3");
		assertThat(((Element) xml.getElementsByTagName("testsuite").item(0)).getAttribute("failures")).isEqualTo("2");
		assertThat(cases.getLength()).isEqualTo(3);
		Element valid = (Element) cases.item(0);
		Element invalid = (Element) cases.item(1);
		assertThat(valid.getAttribute("name")).isEqualTo(VALID);
		assertThat(valid.getAttribute("classname")).isEqualTo("fhir-profiles/profiles/lab/examples");
		assertThat(valid.getElementsByTagName("failure").getLength()).isZero();
		Element failure = (Element) invalid.getElementsByTagName("failure").item(0);
		assertThat(failure.getAttribute("message")).startsWith("1 error(s): ").contains("hf-bc-1");
		assertThat(failure.getTextContent()).contains("Observation.value.ofType(Quantity)");
		assertThat(((Element) cases.item(2)).getElementsByTagName("failure").item(0).getTextContent())
			.contains("HAPI-1861");
	}

	@ParameterizedTest(name = "usage error: {0}")
	@ValueSource(strings = { "--frobnicate " + VALID, "", "--format", "--format yaml " + VALID, "no/such/file.json",
			"--profile http://example.org/StructureDefinition/nope " + VALID })
	void usageErrorsExitTwo(String line) {
		Run run = run(line.isBlank() ? new String[0] : line.split(" "));

		assertThat(run.exit()).isEqualTo(2);
		assertThat(run.err()).startsWith("validate: ").contains("usage: java -jar hemefhir.jar validate");
		assertThat(run.out()).isEmpty();
	}

	@Test
	void emptyDirectoryIsAUsageError() {
		Run run = run(tmp.toString());

		assertThat(run.exit()).isEqualTo(2);
		assertThat(run.err()).contains("no *.json or *.xml file found");
	}

	@Test
	void helpExitsZero() {
		Run run = run("--help");

		assertThat(run.exit()).isZero();
		assertThat(run.out()).contains("--format").contains("exit code");
	}

	@Test
	void explicitProfileReplacesInference() {
		Run byUrl = run("--profile", "http://hemefhir.org/fhir/StructureDefinition/hemefhir-mrd", VALID);
		Run byId = run("--profile", "hemefhir-mrd", VALID);

		assertThat(byUrl.exit()).isEqualTo(1);
		assertThat(byUrl.out()).contains("hemefhir-mrd");
		assertThat(byId.exit()).isEqualTo(1);
		assertThat(byId.out())
			.isEqualTo(byUrl.out().replaceAll("validated in [0-9.]+ s", "validated in " + seconds(byId.out()) + " s"));
	}

	@Test
	void aDecimalTheServerCannotStoreIsAnError() throws IOException {
		Path huge = tmp.resolve("huge.json");
		Files.writeString(huge,
				"""
						{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1e400,"unit":"mg"}}""");
		Run run = run(huge.toString());
		assertThat(run.exit()).as(run.out()).isEqualTo(1);
		assertThat(run.out())
			.contains("error: Observation.value.ofType(Quantity).value: The decimal 1E+400 is outside the range");
	}

	@Test
	void xmlIsValidatedLikeJson() throws IOException {
		Path valid = tmp.resolve("anc.xml");
		Path invalid = tmp.resolve("anc-mg-dl.xml");
		Files.writeString(valid, toXml(VALID));
		Files.writeString(invalid, toXml(INVALID));

		Run ok = run(valid.toString());
		Run bad = run(invalid.toString());

		assertThat(ok.exit()).as(ok.out()).isZero();
		assertThat(bad.exit()).isEqualTo(1);
		assertThat(bad.out())
			.contains(invalid + ": error: Observation.value.ofType(Quantity): Constraint failed: hf-bc-1");
	}

	@Test
	void xmlWithDoctypeIsRefusedUnread() throws IOException {
		Path xxe = tmp.resolve("xxe.xml");
		Files.writeString(xxe, """
				<?xml version="1.0"?>
				<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
				<Patient xmlns="http://hl7.org/fhir"><gender value="&xxe;"/></Patient>
				""");

		Run run = run(xxe.toString());

		assertThat(run.exit()).isEqualTo(1);
		assertThat(run.out()).contains("DOCTYPE or entity declaration is not accepted").doesNotContain("root:");
	}

	@Test
	void brokenXmlAndUnknownXmlElementsAreErrorsNotCrashes() throws IOException {
		Path broken = tmp.resolve("broken.xml");
		Path unknown = tmp.resolve("unknown.xml");
		Files.writeString(broken, "<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"male\">");
		Files.writeString(unknown,
				toXml(VALID).replace("<status value=\"final\"/>", "<status value=\"final\"/><colour value=\"red\"/>"));

		Run run = run(broken.toString(), unknown.toString());

		assertThat(run.exit()).isEqualTo(1);
		assertThat(run.out()).contains(broken + ": error: (file): The content is not a FHIR R4 XML resource");
		assertThat(run.out()).contains(unknown + ": error: ").contains("Unknown element 'colour'");
	}

	@Test
	void caseReportBundlesAreValid() {
		Run run = run("sample-bundles/case-report");

		assertThat(run.exit()).as(run.out()).isZero();
		assertThat(run.out()).contains("6 file(s) validated").contains("0 with errors");
		// the engine's own failure on LOINC 34133-9 (Composition.type, preferred binding)
		// reads as a sentence, not as Java
		assertThat(run.out())
			.containsPattern(
					"06-case-report-document\\.json:\\d+:\\d+: warning: Bundle\\.entry\\[2\\]\\.resource\\.type: "
							+ "This code could not be checked against its binding")
			.doesNotContain("Cannot invoke", "java.", "null");
	}

	/**
	 * Every row of the sample table in sample-bundles/README.md: file, expected status,
	 * expected text.
	 */
	static List<String[]> invalidSamples() throws IOException {
		Pattern row = Pattern.compile("^\\| `invalid/([^`]+)` \\| [^|]+ \\| (\\d{3}) \\| `([^`]+)`");
		List<String[]> rows = new ArrayList<>();
		for (String line : Files.readAllLines(Path.of("sample-bundles/README.md"))) {
			Matcher m = row.matcher(line);
			if (m.find()) {
				rows.add(new String[] { m.group(1), m.group(2), m.group(3) });
			}
		}
		assertThat(rows).hasSizeGreaterThan(20);
		return rows;
	}

	@ParameterizedTest(name = "{0} ({1})")
	@MethodSource("invalidSamples")
	void invalidSampleIsCaughtOfflineUnlessOnlyTheTransactionRefusesIt(String file, String status, String expected) {
		Run run = run("sample-bundles/invalid/" + file);

		if (TRANSACTION_PROCESSING_ONLY.contains(file)) {
			assertThat(status).isEqualTo("400");
			assertThat(run.exit()).as(run.out()).isZero();
		}
		else if (status.equals("422")) {
			assertThat(run.exit()).isEqualTo(1);
			assertThat(run.out()).containsPattern(": (error|fatal): .*" + Pattern.quote(expected));
		}
		else {
			assertThat(run.exit()).as(run.out()).isEqualTo(1);
		}
	}

	private static String toXml(String jsonFile) throws IOException {
		return CTX.newXmlParser()
			.setPrettyPrint(true)
			.encodeResourceToString(CTX.newJsonParser().parseResource(Files.readString(Path.of(jsonFile))));
	}

	private static String seconds(String out) {
		Matcher m = Pattern.compile("validated in ([0-9.]+) s").matcher(out);
		return m.find() ? m.group(1) : "";
	}

	private static Document parseXml(String xml) throws Exception {
		DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
		factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
		factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
		return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
	}

}
