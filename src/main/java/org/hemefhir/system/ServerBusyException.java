package org.hemefhir.system;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.time.Duration;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * 503 with Retry-After: the server is serving as many requests as it is configured for.
 */
public class ServerBusyException extends BaseServerResponseException {

	public ServerBusyException(String what, Duration retryAfter) {
		super(503, message(what, retryAfter),
				OperationOutcomes.error(IssueType.THROTTLED, message(what, retryAfter), null));
		addResponseHeader("Retry-After", retryAfterSeconds(retryAfter));
	}

	static String message(String what, Duration retryAfter) {
		return "The server is busy (" + what + "); nothing was done. Send the request again in "
				+ retryAfterSeconds(retryAfter) + " s";
	}

	static String retryAfterSeconds(Duration retryAfter) {
		return String.valueOf(Math.max(1, (retryAfter.toMillis() + 999) / 1000));
	}

}
