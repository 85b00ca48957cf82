package org.hemefhir.validation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/**
 * Content on which the HL7 validator itself fails (found by fuzzing) is reported as an
 * error of the resource, not thrown: the server then answers 422 instead of 500, and the
 * pooled validator that failed is replaced.
 */
class ValidatorFailureTest {

	@Test
	void aReferenceTheValidatorCannotParseIsAnErrorOfTheResource() {
		Observation o = new Observation();
		o.setStatus(Observation.ObservationStatus.FINAL);
		o.getCode().setText("x");
		o.setSubject(new Reference("Patient?identifier=http://hemefhir.org/fhir//x|y"));

		var messages = SharedValidator.get().validate(o).getMessages();

		assertThat(messages).filteredOn(m -> ProfileValidator.VALIDATOR_FAILED.equals(m.getMessageId()))
			.singleElement()
			.satisfies(m -> assertThat(m.getSeverity()).isEqualTo(ResultSeverityEnum.ERROR))
			.extracting(SingleValidationMessage::getMessage)
			.asString()
			.contains("could not be validated");
		// and the validator goes on working
		o.setSubject(new Reference("Patient/1"));
		assertThat(SharedValidator.get().validate(o).getMessages())
			.noneMatch(m -> ProfileValidator.VALIDATOR_FAILED.equals(m.getMessageId()));
	}

}
