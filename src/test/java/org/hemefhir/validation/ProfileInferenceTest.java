package org.hemefhir.validation;

import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import org.hemefhir.validation.HemeFhirIg;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hemefhir.validation.ProfileConformanceTest.errors;

class ProfileInferenceTest {

	private final ProfileValidator validator = SharedValidator.get();

	@Test
	void undeclaredMrdObservationGetsTheMrdProfile() {
		Observation mrd = observation("http://loinc.org", "67128-9");

		assertThat(validator.inferProfile(mrd)).contains(HemeFhirIg.profileUrl("hemefhir-mrd"));
		assertThat(errors(validator.validate(mrd)))
			.anySatisfy(m -> assertThat(m.getMessage()).contains("Observation.specimen: minimum required = 1")
				.contains("hemefhir-mrd"));
	}

	@Test
	void observationsAndProceduresAreMatchedByCode() {
		assertThat(validator.inferProfile(observation("http://loinc.org", "751-8")))
			.contains(HemeFhirIg.profileUrl("blood-count"));
		assertThat(validator.inferProfile(observation("http://loinc.org", "51298-8")))
			.contains(HemeFhirIg.profileUrl("immunophenotype"));
		assertThat(validator.inferProfile(observation("http://loinc.org", "97509-4")))
			.contains(HemeFhirIg.profileUrl("disease-response"));
		assertThat(validator.inferProfile(observation("http://loinc.org", "69548-6")))
			.contains(HemeFhirIg.profileUrl("genomic-variant"));
		assertThat(validator
			.inferProfile(observation(HemeFhirIg.CODE_SYSTEM_BASE + "observation-code", "donor-chimerism")))
			.contains(HemeFhirIg.profileUrl("chimerism"));
		assertThat(validator.inferProfile(procedure("234336002"))).contains(HemeFhirIg.profileUrl("allo-hsct"));
		assertThat(validator.inferProfile(procedure("180208003"))).contains(HemeFhirIg.profileUrl("transfusion"));
		assertThat(validator.inferProfile(new Patient())).contains(HemeFhirIg.profileUrl("patient"));
	}

	@Test
	void uncoveredResourcesAreValidatedAgainstBaseR4Only() {
		Observation weight = observation("http://loinc.org", "29463-7");
		weight.setValue(new Quantity().setValue(60).setSystem("http://unitsofmeasure.org").setCode("kg"));

		assertThat(validator.inferProfile(weight)).isEmpty();
		assertThat(errors(validator.validate(weight))).isEmpty();
	}

	@Test
	void plainEhrBloodCountConformsWithoutHemeFhirExtensions() {
		Observation anc = observation("http://loinc.org", "751-8");
		anc.addIdentifier().setSystem("urn:example:lab").setValue("42");
		anc.addCategory()
			.addCoding()
			.setSystem("http://terminology.hl7.org/CodeSystem/observation-category")
			.setCode("laboratory");
		anc.setEffective(new org.hl7.fhir.r4.model.DateTimeType("2024-05-01"));
		anc.setValue(new Quantity().setValue(1.2)
			.setUnit("10^9/L")
			.setSystem("http://unitsofmeasure.org")
			.setCode("10*9/L"));

		assertThat(errors(validator.validate(anc))).isEmpty();
	}

	@Test
	void bundleEntriesGetTheirOwnProfileAndEntryLocations() {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
		bundle.addEntry()
			.setFullUrl("urn:uuid:0c3e5a4e-0000-4000-8000-000000000001")
			.setResource(new Patient().setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.FEMALE));
		bundle.addEntry()
			.setFullUrl("urn:uuid:0c3e5a4e-0000-4000-8000-000000000002")
			.setResource(observation("http://loinc.org", "67128-9"));

		ValidationResult result = validator.validate(bundle);

		assertThat(errors(result)).anySatisfy(m -> {
			assertThat(m.getLocationString()).startsWith("Bundle.entry[0].resource");
			assertThat(m.getMessage()).contains("hemefhir-patient").contains("Patient.identifier");
		});
		assertThat(errors(result)).anySatisfy(m -> {
			assertThat(m.getLocationString()).startsWith("Bundle.entry[1].resource");
			assertThat(m.getMessage()).contains("hemefhir-mrd").contains("Observation.specimen");
		});
		// the caller's bundle is not changed by the inferred profiles
		assertThat(bundle.getEntryFirstRep().getResource().getMeta().hasProfile()).isFalse();
	}

	@Test
	void unknownProfilesAreErrorIssuesNotExceptions() {
		Patient patient = new Patient();
		String unknown = HemeFhirIg.STRUCTURE_DEFINITION_BASE + "no-such-profile";

		assertThat(errors(validator.validate(patient, unknown))).extracting(SingleValidationMessage::getMessage)
			.anySatisfy(m -> assertThat(m).contains("Unknown profile").contains(unknown));

		patient.getMeta().addProfile(unknown);
		assertThat(errors(validator.validate(patient))).extracting(SingleValidationMessage::getMessage)
			.anySatisfy(m -> assertThat(m).contains(unknown));
	}

	@Test
	void operationOutcomeCarriesSeverityExpressionAndText() {
		OperationOutcome outcome = validator.validateToOperationOutcome(observation("http://loinc.org", "67128-9"),
				null);

		assertThat(outcome.getIssue()).anySatisfy(issue -> {
			assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
			assertThat(issue.getExpression()).isNotEmpty();
			assertThat(issue.getDiagnostics()).contains("hemefhir-mrd");
		});
	}

	@Test
	void unparseableContentIsAFatalIssue() {
		assertThat(errors(validator.validateJson("{\"resourceType\": \"Nope\"", null))).isNotEmpty();
	}

	private static Observation observation(String system, String code) {
		Observation obs = new Observation();
		obs.setStatus(Observation.ObservationStatus.FINAL);
		obs.setCode(new CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(system, code, null)));
		obs.setSubject(new Reference("Patient/example-patient"));
		return obs;
	}

	private static Procedure procedure(String snomed) {
		Procedure p = new Procedure();
		p.setStatus(Procedure.ProcedureStatus.COMPLETED);
		p.setCode(new CodeableConcept()
			.addCoding(new org.hl7.fhir.r4.model.Coding("http://snomed.info/sct", snomed, null)));
		p.setSubject(new Reference("Patient/example-patient"));
		return p;
	}

}
