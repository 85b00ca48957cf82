package org.hemefhir.validation;

/**
 * One validator for all tests in the JVM: building it costs seconds, validating
 * milliseconds.
 */
final class SharedValidator {

	private static final ProfileValidator VALIDATOR = ProfileValidator.fromClasspath();

	private SharedValidator() {
	}

	static ProfileValidator get() {
		return VALIDATOR;
	}

}
