package org.hemefhir.ingest.hl7v2;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The OBX-3 codes HemeFHIR models, each with the profile and unit its Observation must have; other results are stored as sent. */
final class ResultCodes {

	static final String LOINC = "http://loinc.org";
	static final String LOCAL = "http://hemefhir.org/fhir/CodeSystem/observation-code";
	private static final String PROFILE_BASE = "http://hemefhir.org/fhir/StructureDefinition/hemefhir-";

	enum Kind {
		BLOOD_COUNT("blood-count"),
		MRD("mrd"),
		IMMUNOPHENOTYPE("immunophenotype"),
		CHIMERISM("chimerism");

		final String profile;

		Kind(String profileName) {
			this.profile = PROFILE_BASE + profileName;
		}
	}

	/** A known result: its coding, profile and target UCUM unit; MRD may instead carry a coded result. */
	record ResultCode(String system, String code, String display, Kind kind, String unit, String defaultMethod) {
		boolean needsSpecimen() {
			return kind == Kind.MRD || kind == Kind.IMMUNOPHENOTYPE;
		}
	}

	private static final List<ResultCode> CODES = List.of(
			new ResultCode(LOINC, "751-8", "Neutrophils [#/volume] in Blood by Automated count", Kind.BLOOD_COUNT, UcumUnits.PER_LITRE_E9, null),
			new ResultCode(LOINC, "26499-4", "Neutrophils [#/volume] in Blood", Kind.BLOOD_COUNT, UcumUnits.PER_LITRE_E9, null),
			new ResultCode(LOINC, "777-3", "Platelets [#/volume] in Blood by Automated count", Kind.BLOOD_COUNT, UcumUnits.PER_LITRE_E9, null),
			new ResultCode(LOINC, "26515-7", "Platelets [#/volume] in Blood", Kind.BLOOD_COUNT, UcumUnits.PER_LITRE_E9, null),
			new ResultCode(LOINC, "6690-2", "Leukocytes [#/volume] in Blood by Automated count", Kind.BLOOD_COUNT, UcumUnits.PER_LITRE_E9, null),
			new ResultCode(LOINC, "718-7", "Hemoglobin [Mass/volume] in Blood", Kind.BLOOD_COUNT, UcumUnits.GRAMS_PER_LITRE, null),
			new ResultCode(LOINC, "67128-9", "Abnormal leukocytes/Leukocytes in Specimen by Flow cytometry (FC)", Kind.MRD, UcumUnits.PERCENT, "flow-cytometry"),
			new ResultCode(LOCAL, "mrd-ngs", "Measurable residual disease by NGS", Kind.MRD, UcumUnits.PERCENT, "ngs"),
			new ResultCode(LOCAL, "mrd-pcr", "Measurable residual disease by PCR", Kind.MRD, UcumUnits.PERCENT, "pcr"),
			new ResultCode(LOINC, "51298-8", "CD38 cells/cells in Bone marrow", Kind.IMMUNOPHENOTYPE, UcumUnits.PERCENT, null),
			new ResultCode(LOCAL, "cd38-positive-cells", "CD38+ cells/cells in specimen by flow cytometry", Kind.IMMUNOPHENOTYPE, UcumUnits.PERCENT, null),
			new ResultCode(LOCAL, "donor-chimerism", "Donor chimerism [%]", Kind.CHIMERISM, UcumUnits.PERCENT, null));

	/** How senders name LOINC and our local code system in CE/CWE component 3 (empty: either). */
	static final Set<String> LOINC_NAMES = Set.of("LN", "LOINC", LOINC.toUpperCase(Locale.ROOT));
	private static final Set<String> LOCAL_NAMES = Set.of("L", "HEMEFHIR", "99HEM", LOCAL.toUpperCase(Locale.ROOT));

	private ResultCodes() {}

	static Optional<ResultCode> find(String code, String codingSystem) {
		if (code == null || code.isBlank()) {
			return Optional.empty();
		}
		String system = codingSystem == null ? "" : codingSystem.trim().toUpperCase(Locale.ROOT);
		return CODES.stream()
				.filter(c -> c.code().equalsIgnoreCase(code.trim()))
				.filter(c -> system.isEmpty()
						|| (c.system().equals(LOINC) ? LOINC_NAMES : LOCAL_NAMES).contains(system))
				.findFirst();
	}
}
