package org.hemefhir.audit;

import jakarta.servlet.ServletRequest;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the audit trail learns about one HTTP request while it runs, from the HAPI hooks
 * and the HL7 v2 controller; read by {@link AuditFilter} when the request ends. Batch
 * entries may be stored on other threads, hence the synchronized set; a set, because HAPI
 * calls the storage hooks of an interceptor registered with the REST server twice (as the
 * request's and as the global interceptor).
 */
final class Exchange {

	static final String ATTRIBUTE = Exchange.class.getName();

	/** A stored resource version. */
	record Write(String reference, boolean created) {
	}

	final Set<Write> writes = newWrites();

	volatile String bundleType;

	volatile String failure;

	volatile String searchParameters;

	volatile Hl7v2Message hl7v2;

	static Set<Write> newWrites() {
		return Collections.synchronizedSet(new LinkedHashSet<>());
	}

	static List<Write> copy(Set<Write> writes) {
		synchronized (writes) {
			return List.copyOf(writes);
		}
	}

	static Exchange of(ServletRequest request) {
		return request.getAttribute(ATTRIBUTE) instanceof Exchange exchange ? exchange : null;
	}

}
