package org.hemefhir.system;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Tomcat's error page for what it refuses before the application sees a request (a URL
 * with an encoded '/', a character a request line may not carry, a header it cannot
 * read), as an OperationOutcome instead of an HTML page. Written by hand: Tomcat creates
 * this valve itself, outside Spring, and the document is fixed.
 */
public class FhirErrorReportValve extends ErrorReportValve {

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		AtomicBoolean ioAllowed = new AtomicBoolean(true);
		response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
		if (!ioAllowed.get()) {
			return;
		}
		try {
			response.setContentType("application/fhir+json");
			response.setCharacterEncoding("UTF-8");
			Writer writer = response.getReporter();
			if (writer != null) {
				writer.write(outcome(status));
				response.finishResponse();
			}
		}
		catch (IOException | IllegalStateException e) {
			// the client is gone; nothing to tell it
		}
	}

	static String outcome(int status) {
		String code = status == 413 || status == 414 || status == 431 ? "too-long"
				: status >= 500 ? "exception" : "invalid";
		String message = switch (status) {
			case 400 ->
				"The request is not valid HTTP or its URL cannot be read: a path segment may not contain an encoded "
						+ "'/' or '\\\\' (%2F, %5C) or '..', and characters outside RFC 3986 must be percent-encoded";
			case 413 -> "The request body is too large";
			case 414 ->
				"The request URL is too long; for long searches use POST [type]/_search with the parameters in the body";
			case 431 -> "The request headers are too large";
			case 505 -> "Only HTTP/1.1 and HTTP/2 are served";
			default -> "The request could not be processed (HTTP " + status + ")";
		};
		return "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"" + code
				+ "\",\"diagnostics\":\"" + message + "\"}]}";
	}

}
