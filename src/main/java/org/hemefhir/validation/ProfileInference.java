package org.hemefhir.validation;

import org.hemefhir.validation.HemeFhirIg;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.ValueSet;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses the HemeFHIR profile for a resource that declares none: by resource type, and
 * for Observation and Procedure by code. The code lists come from the IG's own value
 * sets, so the table below names value sets, not codes.
 */
public final class ProfileInference {

	private static final Map<String, String> BY_TYPE = Map.of("Patient", "hemefhir-patient", "Condition",
			"hemefhir-diagnosis", "CarePlan", "hemefhir-treatment-regimen", "MedicationAdministration",
			"hemefhir-medication-administration", "AdverseEvent", "hemefhir-adverse-event", "ResearchStudy",
			"hemefhir-research-study", "ResearchSubject", "hemefhir-research-subject", "Consent", "hemefhir-consent");

	/** value set id -> profile id, for Observation codes. */
	private static final Map<String, String> OBSERVATION_VALUE_SETS = orderedMap("blood-count-code",
			"hemefhir-blood-count", "mrd-code", "hemefhir-mrd", "immunophenotype-code", "hemefhir-immunophenotype");

	private static final Map<String, String> PROCEDURE_VALUE_SETS = orderedMap("hsct-code", "hemefhir-allo-hsct",
			"transfusion-code", "hemefhir-transfusion");

	private final Map<String, String> observationCodes = new HashMap<>();

	private final Map<String, String> procedureCodes = new HashMap<>();

	public ProfileInference(List<IBaseResource> conformance) {
		Map<String, ValueSet> valueSets = new HashMap<>();
		for (IBaseResource r : conformance) {
			if (r instanceof ValueSet vs) {
				valueSets.put(vs.getIdElement().getIdPart(), vs);
			}
		}
		OBSERVATION_VALUE_SETS.forEach((vs, profile) -> index(valueSets.get(vs), profile, observationCodes));
		PROCEDURE_VALUE_SETS.forEach((vs, profile) -> index(valueSets.get(vs), profile, procedureCodes));
		// fixed codes (patterns in the profiles)
		observationCodes.put(key("http://loinc.org", "97509-4"), "hemefhir-disease-response");
		observationCodes.put(key("http://loinc.org", "69548-6"), "hemefhir-genomic-variant");
		observationCodes.put(key(HemeFhirIg.CODE_SYSTEM_BASE + "observation-code", "donor-chimerism"),
				"hemefhir-chimerism");
	}

	/**
	 * The canonical URL of the matching HemeFHIR profile, or empty for resources the IG
	 * does not cover.
	 */
	public Optional<String> inferProfile(IBaseResource resource) {
		String type = resource.fhirType();
		String profile = BY_TYPE.get(type);
		if (profile == null && resource instanceof Observation obs) {
			profile = byCode(obs.getCode(), observationCodes);
		}
		else if (profile == null && resource instanceof Procedure proc) {
			profile = byCode(proc.getCode(), procedureCodes);
		}
		return Optional.ofNullable(profile).map(HemeFhirIg::profileUrl);
	}

	private static String byCode(CodeableConcept code, Map<String, String> table) {
		for (Coding c : code.getCoding()) {
			String profile = table.get(key(c.getSystem(), c.getCode()));
			if (profile != null) {
				return profile;
			}
		}
		return null;
	}

	private static void index(ValueSet vs, String profile, Map<String, String> into) {
		if (vs == null) {
			throw new IllegalStateException("IG package lacks the value set used to infer " + profile);
		}
		for (ValueSet.ConceptSetComponent include : vs.getCompose().getInclude()) {
			for (ValueSet.ConceptReferenceComponent concept : include.getConcept()) {
				into.put(key(include.getSystem(), concept.getCode()), profile);
			}
		}
	}

	private static String key(String system, String code) {
		return system + "|" + code;
	}

	private static Map<String, String> orderedMap(String... pairs) {
		Map<String, String> map = new LinkedHashMap<>();
		for (int i = 0; i < pairs.length; i += 2) {
			map.put(pairs[i], pairs[i + 1]);
		}
		return map;
	}

}
