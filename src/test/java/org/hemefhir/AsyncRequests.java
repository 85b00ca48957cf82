package org.hemefhir;

import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Polling an asynchronous request (Bulk export or import status): asked again every half
 * second while it answers 202.
 */
public final class AsyncRequests {

	private AsyncRequests() {
	}

	/** The first answer other than 202, or the last 202 when the time is up. */
	public static Response untilDone(Supplier<Response> poll, Duration limit) throws InterruptedException {
		Instant deadline = Instant.now().plus(limit);
		Response response = poll.get();
		while (response.statusCode() == 202 && Instant.now().isBefore(deadline)) {
			Thread.sleep(500);
			response = poll.get();
		}
		return response;
	}

}
