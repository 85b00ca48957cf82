package org.hemefhir.cohort;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * Writes a generated cohort: one transaction bundle per patient, or NDJSON files per
 * resource type with a manifest, and always cohort.json with what each course was built
 * to show.
 */
final class CohortWriter {

	enum Format {

		BUNDLE, NDJSON

	}

	/**
	 * Base of the entries' fullUrl: the validator resolves the relative references
	 * against it; the server takes the id from the PUT's url.
	 */
	static final String BASE = "http://hemefhir.org/fhir/";

	private final FhirContext fhir;

	CohortWriter(FhirContext fhir) {
		this.fhir = fhir;
	}

	/** Writes the cohort; returns the number of resources written. */
	long write(long seed, int patients, Path dir, Format format) throws IOException {
		Files.createDirectories(dir);
		List<Object> summaries = new ArrayList<>();
		long total = 0;
		NdjsonFiles ndjson = format == Format.NDJSON ? new NdjsonFiles(dir) : null;
		try {
			for (int i = 1; i <= patients; i++) {
				CourseBuilder.Course course = CourseBuilder.build(seed, CoursePlan.draw(seed, i));
				String file = bundleFileName(i);
				if (ndjson == null) {
					Files.writeString(dir.resolve(file), bundleJson(course), StandardCharsets.UTF_8);
				}
				else {
					ndjson.add(course.resources());
				}
				total += course.resources().size();
				summaries.add(summary(course, ndjson == null ? file : null));
			}
		}
		finally {
			if (ndjson != null) {
				ndjson.close();
			}
		}
		if (ndjson != null) {
			Map<String, Object> manifest = new LinkedHashMap<>();
			manifest.put("seed", seed);
			manifest.put("patients", patients);
			manifest.put("note", "load the files in the order listed: each references only resources of itself"
					+ " or of files listed before it");
			manifest.put("files", ndjson.manifest());
			Files.writeString(dir.resolve("manifest.json"), Json.write(manifest), StandardCharsets.UTF_8);
		}
		Map<String, Object> cohort = new LinkedHashMap<>();
		cohort.put("generator", "hemefhir generate (docs/cohort-generator.md)");
		cohort.put("seed", seed);
		cohort.put("patients", patients);
		cohort.put("format", format.name().toLowerCase());
		cohort.put("resources", total);
		cohort.put("definitions", definitions());
		cohort.put("cohort", summaries);
		Files.writeString(dir.resolve("cohort.json"), Json.write(cohort), StandardCharsets.UTF_8);
		return total;
	}

	static String bundleFileName(int index) {
		return String.format("patient-%05d.json", index);
	}

	/**
	 * A transaction of PUTs with client-assigned ids: loading it again changes nothing.
	 */
	String bundleJson(CourseBuilder.Course course) {
		Bundle bundle = new Bundle();
		bundle.setType(Bundle.BundleType.TRANSACTION);
		for (Resource r : course.resources()) {
			String url = r.fhirType() + "/" + r.getIdElement().getIdPart();
			bundle.addEntry().setResource(r).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(url);
		}
		return parser().setPrettyPrint(true).encodeResourceToString(bundle) + "\n";
	}

	private IParser parser() {
		return fhir.newJsonParser();
	}

	private static Map<String, Object> definitions() {
		Map<String, Object> d = new LinkedHashMap<>();
		d.put("window", "from day 1 of the consolidation regimen until the next regimen starts (conditioning),"
				+ " excluded; no end without a transplant. Days are regimen days: day 1 = first day, day -1 the day before");
		d.put("neutrophilRecovery",
				"first day of 3 successive ANC measurements (LOINC 751-8) on distinct days, each >= 0.5 x10^9/L"
						+ " ($outcomes defaults)");
		d.put("neutrophilRecovery1.0", "the same with anc-threshold=1.0");
		d.put("plateletRecovery20", "first day with platelets (LOINC 777-3) >= 20 x10^9/L and no platelet"
				+ " transfusion on that day or in the 7 days before ($outcomes defaults)");
		d.put("plateletRecovery100", "the same with platelet-threshold=100");
		d.put("mrdConversion", "per specimen type (v2-0487 MAR, CSF): the first MRD-negative result after a"
				+ " positive one; null when there is none (never positive, or never negative after)");
		d.put("null", "not reached: $outcomes answers status not-reached");
		return d;
	}

	private static Map<String, Object> summary(CourseBuilder.Course course, String file) {
		CoursePlan p = course.plan();
		Map<String, Object> s = new LinkedHashMap<>();
		s.put("index", p.index);
		s.put("patient", "Patient/" + course.patientId());
		if (file != null) {
			s.put("file", file);
		}
		s.put("resources", course.resources().size());
		s.put("sex", p.male ? "male" : "female");
		s.put("ageAtDiagnosis", ChronoUnit.YEARS.between(p.birthDate, p.diagnosis));
		s.put("diagnosis", p.diagnosis.toString());
		s.put("subtype", p.etp ? "etp" : "non-etp");
		s.put("induction", Map.of("regimen", "vdlp", "day1", p.induction.toString()));
		Map<String, Object> consolidation = new LinkedHashMap<>();
		consolidation.put("regimen", "dara-va-haa");
		consolidation.put("carePlan", "CarePlan/" + course.consolidationId());
		consolidation.put("day1", p.consolidation.toString());
		consolidation.put("windowEnd", p.windowEnd() == null ? null : p.windowEnd().toString());
		s.put("consolidation", consolidation);
		s.put("neutrophilRecovery", day(p, p.anc05Day));
		s.put("neutrophilRecovery1.0", day(p, p.anc10Day));
		s.put("plateletRecovery20", day(p, p.plt20Day));
		s.put("plateletRecovery100", day(p, p.plt100Day));
		Map<String, Object> mrd = new TreeMap<>();
		course.mrdConversion()
			.forEach((specimen, date) -> mrd.put(specimen,
					date == null ? null : day(p, CoursePlan.regimenDay(p.consolidation, date))));
		s.put("mrdConversion", mrd);
		if (p.transplant != null) {
			Map<String, Object> t = new LinkedHashMap<>();
			t.put("date", p.transplant.toString());
			t.put("conditioningStart", p.conditioningStart().toString());
			t.put("donorType", p.donor.code);
			t.put("cd34Dose", p.cd34Dose);
			t.put("maintenance", p.maintenance);
			t.put("researchEnrolment", p.enrolled);
			s.put("transplant", t);
		}
		else {
			s.put("transplant", null);
		}
		s.put("relapse", p.relapse == null ? null : p.relapse.toString());
		s.put("death", p.death == null ? null : p.death.toString());
		s.put("lastDay", p.lastDay.toString());
		Map<String, Object> never = new LinkedHashMap<>();
		never.put("neutrophils", p.anc05Day == null);
		never.put("platelets20", p.plt20Day == null);
		never.put("platelets100", p.plt100Day == null);
		s.put("neverRecovers", never);
		return s;
	}

	/** A regimen day with its date, or null. */
	private static Map<String, Object> day(CoursePlan p, Integer day) {
		if (day == null) {
			return null;
		}
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("day", day);
		LocalDate date = p.day(day);
		m.put("date", date.toString());
		return m;
	}

	/**
	 * One file per resource type, written as patients are generated; a resource shared by
	 * patients (the research study) once.
	 */
	private final class NdjsonFiles implements AutoCloseable {

		private final Path dir;

		private final Map<String, BufferedWriter> writers = new LinkedHashMap<>();

		private final Map<String, Integer> counts = new LinkedHashMap<>();

		private final Set<String> written = new HashSet<>();

		NdjsonFiles(Path dir) {
			this.dir = dir;
		}

		void add(List<Resource> resources) throws IOException {
			IParser parser = parser().setPrettyPrint(false);
			for (Resource r : resources) {
				String type = r.fhirType();
				if (!written.add(type + "/" + r.getIdElement().getIdPart())) {
					continue;
				}
				BufferedWriter w = writers.get(type);
				if (w == null) {
					w = Files.newBufferedWriter(dir.resolve(type + ".ndjson"), StandardCharsets.UTF_8);
					writers.put(type, w);
				}
				w.write(parser.encodeResourceToString(r));
				w.write('\n');
				counts.merge(type, 1, Integer::sum);
			}
		}

		List<Object> manifest() {
			List<Object> files = new ArrayList<>();
			for (String type : CourseBuilder.TYPE_ORDER) {
				if (counts.containsKey(type)) {
					Map<String, Object> f = new LinkedHashMap<>();
					f.put("type", type);
					f.put("url", type + ".ndjson");
					f.put("count", counts.get(type));
					files.add(f);
				}
			}
			return files;
		}

		@Override
		public void close() throws IOException {
			IOException first = null;
			for (BufferedWriter w : writers.values()) {
				try {
					w.close();
				}
				catch (IOException e) {
					first = first == null ? e : first;
				}
			}
			if (first != null) {
				throw first;
			}
		}

	}

}
