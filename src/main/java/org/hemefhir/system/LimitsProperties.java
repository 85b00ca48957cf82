package org.hemefhir.system;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Bounds on the work one request may cause, and on how many requests are served at once.
 *
 * @param requestTimeout time budget of one request (REST, operation, HL7 v2 message):
 * database statements past it are cancelled, validation stops, and the client gets 503
 * with an OperationOutcome; nothing is written
 * @param maxConcurrentRequests requests (HTTP and MLLP messages) processed at once; more
 * wait
 * @param queueTimeout how long a request waits for a free slot before it is answered 503
 * with {@code Retry-After}
 * @param retryAfter the delay suggested in {@code Retry-After} when the server is busy
 * @param maxNestingDepth deepest nesting of JSON objects/arrays or XML elements in a
 * request body
 * @param maxValues most JSON values (objects, arrays, strings, numbers, booleans) or XML
 * elements and attributes in a request body
 * @param maxSearchParameters most query parameters (counting every value) in one search
 * @param maxIncludes most {@code _include} and {@code _revinclude} values in one search
 */
@ConfigurationProperties(prefix = "hemefhir.limits")
public record LimitsProperties(@DefaultValue("30s") Duration requestTimeout,
		@DefaultValue("16") int maxConcurrentRequests, @DefaultValue("2s") Duration queueTimeout,
		@DefaultValue("5s") Duration retryAfter, @DefaultValue(BodyLimits.DEFAULT_NESTING_DEPTH) int maxNestingDepth,
		@DefaultValue(BodyLimits.DEFAULT_VALUES) int maxValues, @DefaultValue("40") int maxSearchParameters,
		@DefaultValue("10") int maxIncludes) {

	/** The structural limits of a request body. */
	public BodyLimits bodyLimits() {
		return new BodyLimits(maxNestingDepth, maxValues);
	}
}
