package org.hemefhir.system;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.time.Duration;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * 503: the request's work was stopped because its time budget ran out (or its client
 * left).
 */
public class RequestCancelledException extends BaseServerResponseException {

	private final RequestBudget.Reason reason;

	RequestCancelledException(RequestBudget.Reason reason, Duration budget, Duration retryAfter) {
		super(503, message(reason, budget), OperationOutcomes.error(IssueType.TIMEOUT, message(reason, budget), null));
		this.reason = reason;
		addResponseHeader("Retry-After", ServerBusyException.retryAfterSeconds(retryAfter));
	}

	public RequestBudget.Reason reason() {
		return reason;
	}

	private static String message(RequestBudget.Reason reason, Duration budget) {
		if (reason == RequestBudget.Reason.CLIENT_GONE) {
			return "The client closed the connection; the request was stopped and nothing was written";
		}
		return "The request was stopped when its time budget of " + seconds(budget)
				+ " (hemefhir.limits.request-timeout) ran out; nothing was written. Narrow the search (fewer _include or "
				+ "_revinclude, a smaller _count, more selective parameters), send smaller bundles, or use $export for "
				+ "large extracts";
	}

	private static String seconds(Duration budget) {
		return budget.toMillis() % 1000 == 0 ? budget.toSeconds() + " s" : budget.toMillis() + " ms";
	}

}
