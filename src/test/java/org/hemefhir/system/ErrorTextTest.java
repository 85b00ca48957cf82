package org.hemefhir.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What reaches a client in an OperationOutcome, and how long conditional criteria are
 * once stored.
 */
class ErrorTextTest {

	@Test
	void databaseStatementsAreWithheld() {
		String raw = "HAPI-0549: Max retries (5) exceeded for version conflict: could not execute batch [Value too long for column "
				+ "\"RES_SEARCH_URL CHARACTER VARYING(768)\"; SQL statement:\ninsert into HFJ_RES_SEARCH_URL (CREATED_TIME) values (?)]";
		assertThat(ErrorContractInterceptor.sanitize(raw))
			.isEqualTo("HAPI-0549: Max retries (5) exceeded for version conflict: (database detail withheld)");
		assertThat(ErrorContractInterceptor.sanitize("Please select a value from the list"))
			.isEqualTo("Please select a value from the list");
		assertThat(ErrorContractInterceptor
			.sanitize("failed in org.hibernate.exception.ConstraintViolationException: oops"))
			.isEqualTo("failed in oops");
		assertThat(ErrorContractInterceptor.sanitize(
				"HAPI-0389: Failed to call access method: Cannot invoke \"String.length()\" because \"parameter\" is null"))
			.isEqualTo("HAPI-0389: Failed to call access method: (internal detail withheld)");
	}

	@Test
	void criteriaAreMeasuredUrlEncodedAsHapiStoresThem() {
		// HAPI stores "Observation?identifier=urn%3Aa%7Cv"
		assertThat(ConditionalCriteriaGuard.storedLength("Observation", "identifier=urn:a|v"))
			.isEqualTo("Observation?identifier=urn%3Aa%7Cv".length());
		assertThat(ConditionalCriteriaGuard.storedLength("Patient", "identifier=a&birthdate=1964"))
			.isEqualTo("Patient?identifier=a&birthdate=1964".length());
	}

}
