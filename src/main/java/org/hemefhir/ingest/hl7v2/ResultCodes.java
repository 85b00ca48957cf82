package org.hemefhir.ingest.hl7v2;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hemefhir.validation.IgTerminology;
import org.hl7.fhir.r4.model.Coding;

/**
 * The OBX-3 codes HemeFHIR models, each with the profile and unit its Observation must
 * have; other results are stored as sent. The codes and displays come from the IG's value
 * sets; what is written here is only what the IG does not say: the unit a lab result is
 * converted to and the method an MRD code implies.
 */
final class ResultCodes {

	static final String LOINC = "http://loinc.org";
	static final String LOCAL = "http://hemefhir.org/fhir/CodeSystem/observation-code";

	private static final String PROFILE_BASE = "http://hemefhir.org/fhir/StructureDefinition/hemefhir-";

	enum Kind {

		BLOOD_COUNT("blood-count", IgTerminology.BLOOD_COUNT_CODE, UcumUnits.PER_LITRE_E9),
		MRD("mrd", IgTerminology.MRD_CODE, UcumUnits.PERCENT),
		IMMUNOPHENOTYPE("immunophenotype", IgTerminology.IMMUNOPHENOTYPE_CODE, UcumUnits.PERCENT),
		CHIMERISM("chimerism", null, UcumUnits.PERCENT);

		final String profile;

		private final String valueSet;

		private final String unit;

		Kind(String profileName, String valueSet, String unit) {
			this.profile = PROFILE_BASE + profileName;
			this.valueSet = valueSet;
			this.unit = unit;
		}

	}

	/**
	 * A known result: its coding, profile and target UCUM unit; MRD may instead carry a
	 * coded result.
	 */
	record ResultCode(String system, String code, String display, Kind kind, String unit, String defaultMethod) {
		boolean needsSpecimen() {
			return kind == Kind.MRD || kind == Kind.IMMUNOPHENOTYPE;
		}
	}

	/**
	 * Haemoglobin is a mass concentration; every other blood count is a cell count per
	 * litre.
	 */
	private static final Map<String, String> UNIT_EXCEPTIONS = Map.of("718-7", UcumUnits.GRAMS_PER_LITRE);

	/** The method (code of the IG's mrd-method value set) an MRD result code names. */
	private static final Map<String, String> MRD_METHOD_OF_CODE = Map.of("67128-9", "flow-cytometry",
			"mrd-flow-presence", "flow-cytometry", "mrd-ngs", "ngs", "mrd-pcr", "pcr");

	/** The chimerism profile fixes its code instead of binding a value set. */
	private static final ResultCode DONOR_CHIMERISM = new ResultCode(LOCAL, "donor-chimerism", "Donor chimerism [%]",
			Kind.CHIMERISM, UcumUnits.PERCENT, null);

	private static final List<ResultCode> CODES = load(IgTerminology.installed());

	/**
	 * How senders name LOINC and our local code system in CE/CWE component 3 (empty:
	 * either).
	 */
	static final Set<String> LOINC_NAMES = Set.of("LN", "LOINC", LOINC.toUpperCase(Locale.ROOT));

	private static final Set<String> LOCAL_NAMES = Set.of("L", "HEMEFHIR", "99HEM", LOCAL.toUpperCase(Locale.ROOT));

	private ResultCodes() {
	}

	static List<ResultCode> load(IgTerminology terminology) {
		List<ResultCode> codes = new ArrayList<>();
		for (Kind kind : Kind.values()) {
			if (kind.valueSet == null) {
				continue;
			}
			for (Coding c : terminology.concepts(kind.valueSet)) {
				if (kind == Kind.MRD && !MRD_METHOD_OF_CODE.containsKey(c.getCode())) {
					throw new IllegalStateException(
							"The IG's MRD code " + c.getCode() + " has no method in ResultCodes");
				}
				codes.add(new ResultCode(c.getSystem(), c.getCode(), c.getDisplay(), kind,
						UNIT_EXCEPTIONS.getOrDefault(c.getCode(), kind.unit),
						kind == Kind.MRD ? MRD_METHOD_OF_CODE.get(c.getCode()) : null));
			}
		}
		codes.add(DONOR_CHIMERISM);
		return List.copyOf(codes);
	}

	static Optional<ResultCode> find(String code, String codingSystem) {
		if (code == null || code.isBlank()) {
			return Optional.empty();
		}
		String system = codingSystem == null ? "" : codingSystem.trim().toUpperCase(Locale.ROOT);
		return CODES.stream()
			.filter(c -> c.code().equalsIgnoreCase(code.trim()))
			.filter(c -> system.isEmpty() || (c.system().equals(LOINC) ? LOINC_NAMES : LOCAL_NAMES).contains(system))
			.findFirst();
	}

}
