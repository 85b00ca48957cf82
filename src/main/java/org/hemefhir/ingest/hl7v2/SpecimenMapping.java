package org.hemefhir.ingest.hl7v2;

import static org.hemefhir.ingest.hl7v2.V2Fields.get;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.segment.OBR;
import ca.uhn.hl7v2.model.v251.segment.SPM;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.hemefhir.ingest.hl7v2.Hl7v2Error.Code;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Specimen;

/**
 * The Specimen an MRD or CD38 result needs, from SPM (2.5 and later) or else from OBR-15
 * and OBR-7 (2.3, 2.4): its identifier (the specimen id, else the filler order number),
 * type and collection time.
 */
final class SpecimenMapping {

	static final String SPECIMEN_ID_SYSTEM = "http://hemefhir.org/fhir/sid/hl7v2-specimen";

	private static final String SPECIMEN_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0487";

	/** The Specimen and the segment it came from. */
	record Mapped(Specimen specimen, String segment, int sequence) {
	}

	private final List<Hl7v2Error> errors;

	private final ZoneId zone;

	SpecimenMapping(List<Hl7v2Error> errors, ZoneId zone) {
		this.errors = errors;
		this.zone = zone;
	}

	/**
	 * The Specimen of an order, or null (after adding why to the errors when something
	 * was wrong).
	 */
	Mapped map(OBR obr, int obrAt, SPM spm, int spmAt, String patient, String filler, String fillerNamespace,
			String observedAt) throws HL7Exception {
		if (filler == null) {
			return null;
		}
		Specimen specimen = new Specimen();
		String id = null;
		String typeCode;
		String typeText;
		String typeSystem;
		String collected;
		String segment;
		int seq;
		Integer collectedField;
		if (spm != null) {
			id = Optional.ofNullable(get(spm, 2, 1, 1)).orElse(get(spm, 2, 2, 1));
			typeCode = get(spm, 4, 1);
			typeText = get(spm, 4, 2);
			typeSystem = get(spm, 4, 3);
			collected = Optional.ofNullable(get(spm, 17, 1, 1)).orElse(observedAt);
			segment = "SPM";
			seq = spmAt;
			collectedField = get(spm, 17, 1, 1) != null ? 17 : null;
		}
		else {
			typeCode = get(obr, 15, 1, 1);
			typeText = get(obr, 15, 1, 2);
			typeSystem = null;
			collected = observedAt;
			segment = "OBR";
			seq = obrAt;
			collectedField = 7;
		}
		String idValue = fillerNamespace + "/" + (id != null ? id : filler);
		specimen.addIdentifier(new Identifier().setSystem(SPECIMEN_ID_SYSTEM).setValue(idValue));
		if (typeCode != null || typeText != null) {
			CodeableConcept type = new CodeableConcept();
			if (typeCode != null) {
				boolean table0487 = typeSystem == null || typeSystem.equalsIgnoreCase("HL70487")
						|| typeSystem.equalsIgnoreCase("HL70070");
				type.addCoding(new Coding(table0487 ? SPECIMEN_TYPE_SYSTEM : typeSystem, typeCode, typeText));
			}
			if (typeText != null) {
				type.setText(typeText);
			}
			specimen.setType(type);
		}
		if (patient != null) {
			specimen.setSubject(new Reference(patient));
		}
		if (collected != null) {
			try {
				DateTimeType at = V2Time.toFhir(collected, zone);
				specimen.getCollection().setCollected(at);
			}
			catch (IllegalArgumentException e) {
				errors.add(Hl7v2Error.at(segment, seq, collectedField, Code.DATA_TYPE_ERROR, e.getMessage()));
				return null;
			}
		}
		if (!errors.isEmpty()) {
			return null;
		}
		return new Mapped(specimen, segment, seq);
	}

}
