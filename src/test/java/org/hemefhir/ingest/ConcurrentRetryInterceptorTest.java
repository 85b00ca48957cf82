package org.hemefhir.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.nio.file.Path;
import org.hemefhir.fhirserver.ServerProperties;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class ConcurrentRetryInterceptorTest {

	private static ConcurrentRetryInterceptor withRetries(int retries) {
		return new ConcurrentRetryInterceptor(new ServerProperties(Path.of("data"), DataSize.ofMegabytes(5), 20, 500,
				retries, java.time.Duration.ofSeconds(5)));
	}

	private static SystemRequestDetails transaction(boolean entryIfMatch) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		Bundle.BundleEntryComponent entry = bundle.addEntry().setResource(new Observation());
		entry.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Observation/1");
		if (entryIfMatch) {
			entry.getRequest().setIfMatch("W/\"1\"");
		}
		SystemRequestDetails request = new SystemRequestDetails();
		request.setResource(bundle);
		return request;
	}

	@Test
	void aCollidingConditionalWriteIsRunAgain() {
		var strategy = withRetries(5).onConflict(transaction(false));
		assertThat(strategy.isRetry()).isTrue();
		assertThat(strategy.getMaxRetries()).isEqualTo(5);
	}

	@Test
	void aVersionedWriteIsNotRetriedItsConflictIsTheAnswer() {
		SystemRequestDetails header = new SystemRequestDetails();
		header.addHeader("If-Match", "W/\"3\"");
		assertThat(withRetries(5).onConflict(header).isRetry()).isFalse();
		assertThat(withRetries(5).onConflict(transaction(true)).isRetry()).isFalse();
	}

	@Test
	void zeroRetriesTurnsItOff() {
		assertThat(withRetries(0).onConflict(transaction(false)).isRetry()).isFalse();
	}

}
