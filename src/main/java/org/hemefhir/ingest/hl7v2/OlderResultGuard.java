package org.hemefhir.ingest.hl7v2;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import java.util.Date;
import org.hemefhir.fhirserver.FhirServerCustomizer;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.springframework.stereotype.Component;

/**
 * The mapping leaves out a result whose stored copy was issued later, but it reads before
 * the transaction: a newer copy stored in between (by another node, or another connection
 * of the same sender) would be overwritten. Inside the transaction this hook compares
 * against the version actually being replaced, and HAPI runs a transaction that collided
 * with a concurrent write again, so the check always sees the latest copy.
 */
@Component
@Interceptor
class OlderResultGuard implements FhirServerCustomizer {

	/** Request user data marking a transaction of HL7 v2 results. */
	static final String RESULTS = OlderResultGuard.class.getName() + ".results";

	@Override
	public void customize(RestfulServer server) {
		server.registerInterceptor(this);
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void keepNewerResult(IBaseResource previous, IBaseResource updated, RequestDetails request) {
		if (request == null || request.getUserData().get(RESULTS) == null || !(previous instanceof Observation stored)
				|| !(updated instanceof Observation incoming) || !stored.hasIssued() || !incoming.hasIssued()
				|| !stored.getIssued().after(incoming.getIssued())) {
			return;
		}
		incoming.getIdentifier()
			.stream()
			.filter(id -> OruR01Mapper.RESULT_ID_SYSTEM.equals(id.getSystem()))
			.map(Identifier::getValue)
			.findFirst()
			.ifPresent(result -> {
				throw new OlderThanStored(result, stored.getIssued());
			});
	}

	/** Thrown out of the transaction: the result to leave out, and why. */
	static final class OlderThanStored extends PreconditionFailedException {

		private final String result;

		private final Date storedIssued;

		OlderThanStored(String result, Date storedIssued) {
			super("Result " + result + " was issued before the stored one");
			this.result = result;
			this.storedIssued = storedIssued;
		}

		String result() {
			return result;
		}

		Date storedIssued() {
			return storedIssued;
		}

	}

}
