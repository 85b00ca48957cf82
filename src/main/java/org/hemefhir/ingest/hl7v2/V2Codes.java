package org.hemefhir.ingest.hl7v2;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;

/**
 * Coded v2 fields (CE/CWE) as FHIR codings: the name of the coding system in component 3
 * becomes a system URI, and abnormal flags (OBX-8, HL7 table 0078) become v3
 * ObservationInterpretation codes, as in the HL7 v2-to-FHIR mapping.
 */
final class V2Codes {

	static final String INTERPRETATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";

	/** Table 0078 flags that have the same code in v3 ObservationInterpretation. */
	private static final Map<String, String> FLAGS = Map.ofEntries(Map.entry("L", "Low"), Map.entry("H", "High"),
			Map.entry("LL", "Critical low"), Map.entry("HH", "Critical high"), Map.entry("N", "Normal"),
			Map.entry("A", "Abnormal"), Map.entry("AA", "Critical abnormal"), Map.entry("<", "Off scale low"),
			Map.entry(">", "Off scale high"), Map.entry("S", "Susceptible"), Map.entry("R", "Resistant"),
			Map.entry("I", "Intermediate"), Map.entry("POS", "Positive"), Map.entry("NEG", "Negative"),
			Map.entry("IND", "Indeterminate"), Map.entry("DET", "Detected"), Map.entry("ND", "Not detected"));

	private V2Codes() {
	}

	/**
	 * The system URI for a CE/CWE component 3: LOINC, SNOMED CT, UCUM and HL7 tables by
	 * their v2 names, a URI as it is, anything else (a laboratory's own codes) as a URN
	 * of the sending facility and the name it gave, so that two laboratories' local codes
	 * never mix.
	 */
	static String system(String name, String facility) {
		String upper = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
		if (ResultCodes.LOINC_NAMES.contains(upper)) {
			return ResultCodes.LOINC;
		}
		if (upper.equals("SCT") || upper.equals("SNM") || upper.equals("SNOMED") || upper.equals("SNOMEDCT")) {
			return "http://snomed.info/sct";
		}
		if (upper.equals("UCUM")) {
			return UcumUnits.SYSTEM;
		}
		if (upper.matches("HL7\\d{4}")) {
			return "http://terminology.hl7.org/CodeSystem/v2-" + upper.substring(3);
		}
		if (name != null && name.contains(":")) {
			return name.trim();
		}
		return "urn:hemefhir:hl7v2:" + urnPart(facility) + ":" + urnPart(upper.isEmpty() ? "L" : name.trim());
	}

	/**
	 * A CE/CWE as a CodeableConcept: the coding of components 1-3, the alternate of 4-6,
	 * text = 2.
	 */
	static CodeableConcept concept(String code, String text, String system, String altCode, String altText,
			String altSystem, String facility) {
		CodeableConcept concept = new CodeableConcept();
		if (code != null) {
			concept.addCoding(new Coding(system(system, facility), code.trim(), text));
		}
		if (altCode != null) {
			concept.addCoding(new Coding(system(altSystem, facility), altCode.trim(), altText));
		}
		concept.setText(text != null ? text : altText);
		return concept;
	}

	/** OBX-8 as an interpretation; a flag outside the table keeps its text. */
	static Optional<CodeableConcept> interpretation(String flag) {
		if (flag == null || flag.isBlank()) {
			return Optional.empty();
		}
		String key = flag.trim().toUpperCase(Locale.ROOT);
		String display = FLAGS.get(key);
		return Optional.of(display == null ? new CodeableConcept().setText(flag.trim())
				: new CodeableConcept().addCoding(new Coding(INTERPRETATION_SYSTEM, key, display)));
	}

	private static String urnPart(String value) {
		String cleaned = value == null ? "" : value.trim().replaceAll("[^A-Za-z0-9.\\-]", "-");
		return cleaned.isEmpty() ? "unknown" : cleaned;
	}

}
