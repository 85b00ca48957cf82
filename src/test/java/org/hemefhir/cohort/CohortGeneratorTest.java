package org.hemefhir.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.FhirTerser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generator's contract without a server: determinism, size, tags, references, the two
 * formats, its arguments, and that each course holds the outcomes cohort.json claims
 * (computed here from the written data by $outcomes' definitions).
 */
class CohortGeneratorTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	private static final int PATIENTS = 12;

	@TempDir
	static Path tmp;

	private static Path bundles;

	@BeforeAll
	static void generate() throws IOException {
		bundles = tmp.resolve("bundles");
		new CohortWriter(FHIR).write(42, PATIENTS, bundles, CohortWriter.Format.BUNDLE);
	}

	@Test
	void sameSeedWritesTheSameBytes() throws IOException {
		Path again = tmp.resolve("again");
		new CohortWriter(FHIR).write(42, PATIENTS, again, CohortWriter.Format.BUNDLE);
		for (Path file : files(bundles)) {
			assertThat(Files.readAllBytes(again.resolve(file.getFileName().toString())))
				.as(file.getFileName().toString())
				.isEqualTo(Files.readAllBytes(file));
		}
		assertThat(files(again)).hasSameSizeAs(files(bundles));
	}

	@Test
	void anotherSeedWritesAnotherCohort() throws IOException {
		Path other = tmp.resolve("other");
		new CohortWriter(FHIR).write(43, 2, other, CohortWriter.Format.BUNDLE);
		assertThat(Files.readString(other.resolve("patient-00001.json")))
			.isNotEqualTo(Files.readString(bundles.resolve("patient-00001.json")))
			.contains("syn-s43-p00001-pat")
			.doesNotContain("syn-s42-");
		assertThat(Files.readString(other.resolve("cohort.json")))
			.isNotEqualTo(Files.readString(bundles.resolve("cohort.json")));
	}

	@Test
	void aPatientIsTheSameWhateverTheCohortSize() throws IOException {
		Path small = tmp.resolve("small");
		new CohortWriter(FHIR).write(42, 2, small, CohortWriter.Format.BUNDLE);
		assertThat(Files.readAllBytes(small.resolve("patient-00002.json")))
			.isEqualTo(Files.readAllBytes(bundles.resolve("patient-00002.json")));
	}

	@Test
	void aboutThreeHundredResourcesPerPatientEachTaggedSyntheticWithItsProfile() throws IOException {
		int total = 0;
		for (int i = 1; i <= PATIENTS; i++) {
			Bundle bundle = bundle(i);
			assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.TRANSACTION);
			assertThat(bundle.getEntry()).hasSizeBetween(200, 500);
			total += bundle.getEntry().size();
			for (Bundle.BundleEntryComponent e : bundle.getEntry()) {
				Resource r = e.getResource();
				String id = r.getIdElement().getIdPart();
				assertThat(id).matches("syn-s42-(p\\d{5}-[a-z]+(-\\d{4})?|study-maintenance)");
				assertThat(e.getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.PUT);
				assertThat(e.getRequest().getUrl()).isEqualTo(r.fhirType() + "/" + id);
				assertThat(r.getMeta().getTag())
					.anyMatch(t -> t.getSystem().equals("http://hemefhir.org/fhir/CodeSystem/data-origin")
							&& t.getCode().equals("synthetic"));
				if (!r.fhirType().equals("Specimen")) {
					// Specimen has no HemeFHIR profile (as in the case)
					assertThat(r.getMeta().getProfile()).as(id)
						.singleElement()
						.satisfies(p -> assertThat(p.getValue())
							.startsWith("http://hemefhir.org/fhir/StructureDefinition/hemefhir-"));
				}
			}
		}
		assertThat(total / PATIENTS).isBetween(250, 400);
	}

	@Test
	void everyReferenceResolvesInsideItsBundleToAnEarlierEntry() throws IOException {
		for (int i = 1; i <= PATIENTS; i++) {
			Set<String> seen = new HashSet<>();
			Set<String> all = new HashSet<>();
			Bundle bundle = bundle(i);
			bundle.getEntry().forEach(e -> all.add(e.getRequest().getUrl()));
			for (Bundle.BundleEntryComponent e : bundle.getEntry()) {
				seen.add(e.getRequest().getUrl());
				for (String ref : references(e.getResource())) {
					assertThat(all).as("patient %d: %s in %s", i, ref, e.getRequest().getUrl()).contains(ref);
					if (!ref.startsWith("Observation/")) {
						// a response references the MRD result of its day, written before
						// it
						assertThat(seen).as("%s before %s", ref, e.getRequest().getUrl()).contains(ref);
					}
				}
			}
		}
	}

	@Test
	void ndjsonHoldsTheSameResourcesInFilesThatLoadInManifestOrder() throws IOException {
		Path ndjson = tmp.resolve("ndjson");
		new CohortWriter(FHIR).write(42, PATIENTS, ndjson, CohortWriter.Format.NDJSON);
		Map<String, String> fromBundles = new TreeMap<>();
		for (int i = 1; i <= PATIENTS; i++) {
			for (Bundle.BundleEntryComponent e : bundle(i).getEntry()) {
				fromBundles.put(e.getRequest().getUrl(), FHIR.newJsonParser().encodeResourceToString(e.getResource()));
			}
		}
		JsonNode manifest = new ObjectMapper().readTree(ndjson.resolve("manifest.json").toFile());
		Map<String, String> fromNdjson = new TreeMap<>();
		Set<String> loaded = new HashSet<>();
		List<String> order = new ArrayList<>();
		for (JsonNode file : manifest.get("files")) {
			order.add(file.get("type").asText());
			List<String> lines = Files.readAllLines(ndjson.resolve(file.get("url").asText()));
			assertThat(lines).hasSize(file.get("count").asInt());
			List<Resource> resources = lines.stream()
				.map(l -> (Resource) FHIR.newJsonParser().parseResource(l))
				.toList();
			resources.forEach(r -> loaded.add(r.fhirType() + "/" + r.getIdElement().getIdPart()));
			for (Resource r : resources) {
				fromNdjson.put(r.fhirType() + "/" + r.getIdElement().getIdPart(),
						FHIR.newJsonParser().encodeResourceToString(r));
				assertThat(loaded).as("references of %s loaded by then", r.getIdElement().getIdPart())
					.containsAll(references(r));
			}
		}
		assertThat(order.get(0)).isEqualTo("Patient");
		assertThat(fromNdjson).isEqualTo(fromBundles);
		assertThat(Files.readString(ndjson.resolve("cohort.json"))
			.replace("\"format\": \"ndjson\"", "")
			.replaceAll("\\s*\"file\": \"patient-\\d+\\.json\",", ""))
			.isEqualTo(Files.readString(bundles.resolve("cohort.json"))
				.replace("\"format\": \"bundle\"", "")
				.replaceAll("\\s*\"file\": \"patient-\\d+\\.json\",", ""));
	}

	/**
	 * The outcomes cohort.json states are the ones the written data has, by the rules of
	 * $outcomes (research/OutcomeRules) applied here to the bundle.
	 */
	@Test
	void cohortJsonStatesTheOutcomesTheDataHas() throws IOException {
		JsonNode cohort = new ObjectMapper().readTree(bundles.resolve("cohort.json").toFile());
		assertThat(cohort.get("seed").asLong()).isEqualTo(42);
		assertThat(cohort.get("patients").asInt()).isEqualTo(PATIENTS);
		boolean neverRecovers = false;
		boolean transplant = false;
		for (JsonNode p : cohort.get("cohort")) {
			Bundle bundle = bundle(p.get("index").asInt());
			LocalDate from = LocalDate.parse(p.get("consolidation").get("day1").asText());
			JsonNode end = p.get("consolidation").get("windowEnd");
			LocalDate until = end.isNull() ? null : LocalDate.parse(end.asText());
			List<Observation> obs = bundle.getEntry()
				.stream()
				.map(Bundle.BundleEntryComponent::getResource)
				.filter(Observation.class::isInstance)
				.map(Observation.class::cast)
				.toList();
			List<LocalDate> transfusions = bundle.getEntry()
				.stream()
				.map(Bundle.BundleEntryComponent::getResource)
				.filter(Procedure.class::isInstance)
				.map(Procedure.class::cast)
				.filter(pr -> pr.getCode().getCodingFirstRep().getCode().equals("180208003"))
				.map(pr -> LocalDate.parse(pr.getPerformedDateTimeType().getValueAsString()))
				.toList();
			TreeMap<LocalDate, BigDecimal> anc = daily(obs, "751-8", from, until);
			TreeMap<LocalDate, BigDecimal> plt = daily(obs, "777-3", from, until);
			String id = p.get("patient").asText();
			assertThat(date(p.get("neutrophilRecovery"))).as(id).isEqualTo(consecutive(anc, new BigDecimal("0.5")));
			assertThat(date(p.get("neutrophilRecovery1.0"))).as(id).isEqualTo(consecutive(anc, BigDecimal.ONE));
			assertThat(date(p.get("plateletRecovery20"))).as(id)
				.isEqualTo(transfusionFree(plt, transfusions, new BigDecimal("20")));
			assertThat(date(p.get("plateletRecovery100"))).as(id)
				.isEqualTo(transfusionFree(plt, transfusions, new BigDecimal("100")));
			neverRecovers |= p.get("neverRecovers").get("neutrophils").asBoolean();
			transplant |= !p.get("transplant").isNull();
		}
		assertThat(neverRecovers).as("some patient never recovers").isTrue();
		assertThat(transplant).as("some patient is transplanted").isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "--patients 3", "--out x", "--patients 0 --out x", "--patients three --out x",
			"--patients 3 --out x --format xml", "--patients 3 --out x --seed -1", "--patients 3 --out x --colour",
			"--patients" })
	void badArgumentsExitWithTwoAndSayWhy(String args) {
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int code = GenerateCommand.run(args.isEmpty() ? new String[0] : args.split(" "),
				new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
		assertThat(code).isEqualTo(2);
		assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("generate: ").contains("Usage:");
		assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
	}

	@Test
	void helpPrintsTheUsage() {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int code = GenerateCommand.run(new String[] { "--help" }, new PrintStream(out, true, StandardCharsets.UTF_8),
				System.err);
		assertThat(code).isZero();
		assertThat(out.toString(StandardCharsets.UTF_8)).contains("--patients N", "--format");
	}

	// ---- $outcomes' definitions, restated as the oracle

	private static TreeMap<LocalDate, BigDecimal> daily(List<Observation> obs, String loinc, LocalDate from,
			LocalDate until) {
		TreeMap<LocalDate, BigDecimal> days = new TreeMap<>();
		for (Observation o : obs) {
			Coding c = o.getCode().getCodingFirstRep();
			if (!c.getCode().equals(loinc)) {
				continue;
			}
			LocalDate d = LocalDate.parse(o.getEffectiveDateTimeType().getValueAsString());
			if (d.isBefore(from) || (until != null && !d.isBefore(until))) {
				continue;
			}
			days.merge(d, o.getValueQuantity().getValue(), BigDecimal::min);
		}
		return days;
	}

	private static LocalDate consecutive(TreeMap<LocalDate, BigDecimal> days, BigDecimal threshold) {
		List<LocalDate> run = new ArrayList<>();
		for (Map.Entry<LocalDate, BigDecimal> e : days.entrySet()) {
			if (e.getValue().compareTo(threshold) >= 0) {
				run.add(e.getKey());
				if (run.size() == 3) {
					return run.get(0);
				}
			}
			else {
				run.clear();
			}
		}
		return null;
	}

	private static LocalDate transfusionFree(TreeMap<LocalDate, BigDecimal> days, List<LocalDate> transfusions,
			BigDecimal threshold) {
		for (Map.Entry<LocalDate, BigDecimal> e : days.entrySet()) {
			LocalDate d = e.getKey();
			if (e.getValue().compareTo(threshold) >= 0
					&& transfusions.stream().noneMatch(t -> !t.isAfter(d) && !t.isBefore(d.minusDays(7)))) {
				return d;
			}
		}
		return null;
	}

	private static LocalDate date(JsonNode day) {
		return day == null || day.isNull() ? null : LocalDate.parse(day.get("date").asText());
	}

	// ---- helpers

	static List<String> references(IBaseResource resource) {
		FhirTerser terser = FHIR.newTerser();
		return terser.getAllPopulatedChildElementsOfType(resource, Reference.class)
			.stream()
			.map(Reference::getReference)
			.filter(r -> r != null)
			.toList();
	}

	private static Bundle bundle(int index) throws IOException {
		return FHIR.newJsonParser()
			.parseResource(Bundle.class, Files.readString(bundles.resolve(CohortWriter.bundleFileName(index))));
	}

	private static List<Path> files(Path dir) throws IOException {
		try (Stream<Path> s = Files.list(dir)) {
			return s.sorted().toList();
		}
	}

}
