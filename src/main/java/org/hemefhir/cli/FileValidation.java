package org.hemefhir.cli;

import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;

import java.nio.file.Path;
import java.util.List;

/** The outcome of validating one file: its messages, in the validator's order. */
record FileValidation(Path file, List<SingleValidationMessage> messages, long millis) {

	long count(ResultSeverityEnum severity) {
		return messages.stream().filter(m -> m.getSeverity() == severity).count();
	}

	long errorCount() {
		return count(ResultSeverityEnum.ERROR) + count(ResultSeverityEnum.FATAL);
	}

	boolean hasErrors() {
		return errorCount() > 0;
	}

	static boolean isError(SingleValidationMessage m) {
		return m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL;
	}
}
