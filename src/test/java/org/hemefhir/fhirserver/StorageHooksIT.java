package org.hemefhir.fhirserver;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.interceptor.api.IAnonymousInterceptor;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Pointcut;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.hemefhir.FhirIntegrationTest;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A storage hook runs once per REST write, not once for the JPA layer and again for the
 * request (each run of the profile validator costs the write path).
 */
class StorageHooksIT extends FhirIntegrationTest {

	@Autowired
	private IInterceptorService interceptors;

	@Test
	void aStorageHookRunsOncePerRestWriteAndOncePerTransactionEntry() {
		String key = UUID.randomUUID().toString();
		AtomicInteger calls = new AtomicInteger();
		IAnonymousInterceptor counter = (pointcut, params) -> {
			IBaseResource resource = params.get(IBaseResource.class);
			if (resource instanceof Patient patient && !patient.getIdentifier().isEmpty()
					&& key.equals(patient.getIdentifierFirstRep().getValue())) {
				calls.incrementAndGet();
			}
		};
		interceptors.registerAnonymousInterceptor(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED, counter);
		try {
			fhir().body(patient(key)).post("/Patient").then().statusCode(201);
			assertThat(calls).as("hook calls for one POST").hasValue(1);

			calls.set(0);
			fhir().body("""
					{"resourceType":"Bundle","type":"transaction","entry":[{"resource":%s,
					 "request":{"method":"POST","url":"Patient"}}]}""".formatted(patient(key)))
				.post("/")
				.then()
				.statusCode(200);
			assertThat(calls).as("hook calls for one transaction entry").hasValue(1);
		}
		finally {
			interceptors.unregisterInterceptor(counter);
		}
	}

	private static String patient(String key) {
		return """
				{"resourceType":"Patient","identifier":[{"system":"urn:test:hooks","value":"%s"}],
				 "gender":"female","birthDate":"1964"}""".formatted(key);
	}

}
