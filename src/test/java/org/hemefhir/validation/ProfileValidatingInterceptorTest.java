package org.hemefhir.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.junit.jupiter.api.Test;

/** The write-time validation modes and how errors are located in bundles. */
class ProfileValidatingInterceptorTest {

	/**
	 * A Patient without identifier, gender and birth date breaks hemefhir-patient three
	 * times.
	 */
	private static Patient incompletePatient() {
		Patient patient = new Patient();
		patient.addName().setFamily("Incomplete");
		return patient;
	}

	private static ProfileValidatingInterceptor in(ValidationProperties.Mode mode) {
		return new ProfileValidatingInterceptor(SharedValidator.get(), new ValidationProperties(mode, 1));
	}

	@Test
	void enforceRefusesWith422NamingProfileAndElement() {
		assertThatThrownBy(() -> in(ValidationProperties.Mode.ENFORCE).beforeCreate(incompletePatient(), null))
			.isInstanceOfSatisfying(UnprocessableEntityException.class, e -> {
				OperationOutcome outcome = (OperationOutcome) e.getOperationOutcome();
				assertThat(outcome.getIssue()).hasSizeGreaterThanOrEqualTo(3);
				assertThat(outcome.getIssue()).allSatisfy(issue -> {
					assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
					assertThat(issue.getExpression()).isNotEmpty();
				});
				assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("hemefhir-patient");
			});
	}

	@Test
	void warnStoresDespiteErrors() {
		assertThatCode(() -> in(ValidationProperties.Mode.WARN).beforeCreate(incompletePatient(), null))
			.doesNotThrowAnyException();
	}

	@Test
	void bundleEntriesAreNamedByTheirPositionInTheClientsBundle() {
		ProfileValidatingInterceptor interceptor = in(ValidationProperties.Mode.ENFORCE);
		Bundle bundle = new Bundle();
		bundle.addEntry()
			.setResource(new Patient().addIdentifier(new org.hl7.fhir.r4.model.Identifier().setValue("x")));
		Patient second = incompletePatient();
		bundle.addEntry().setResource(second);
		interceptor.numberEntries(bundle);
		// A batch entry is processed later as a one-entry sub-bundle: its position must
		// not change.
		Bundle subBundle = new Bundle();
		subBundle.addEntry().setResource(second);
		interceptor.numberEntries(subBundle);

		assertThatThrownBy(() -> interceptor.beforeCreate(second, null))
			.isInstanceOfSatisfying(UnprocessableEntityException.class, e -> {
				OperationOutcome outcome = (OperationOutcome) e.getOperationOutcome();
				assertThat(outcome.getIssueFirstRep().getDiagnostics()).startsWith("Bundle entry 1 (Patient)");
				assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue())
					.startsWith("Bundle.entry[1].resource");
			});
	}

	@Test
	void definitionsTheServerInstallsItselfAreNotValidatedAsPatientData() {
		StructureDefinition definition = new StructureDefinition();
		assertThatCode(() -> in(ValidationProperties.Mode.ENFORCE).beforeCreate(definition, new SystemRequestDetails()))
			.doesNotThrowAnyException();
	}

	@Test
	void entryPathsPointIntoTheBundle() {
		assertThat(ProfileValidatingInterceptor.inEntry(2, "Observation", "Observation.value.ofType(Quantity)"))
			.isEqualTo("Bundle.entry[2].resource.value.ofType(Quantity)");
		assertThat(ProfileValidatingInterceptor.inEntry(0, "Patient", "Patient")).isEqualTo("Bundle.entry[0].resource");
	}

}
