package org.hemefhir.system;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The answer for errors outside the FHIR endpoint (an unknown path, a method or media
 * type that {@code /hl7v2} does not take, a failure in a filter): an OperationOutcome,
 * like everywhere else, in place of Spring Boot's default error document.
 */
@Controller
class ErrorPageController implements ErrorController {

	private static final Logger log = LoggerFactory.getLogger(ErrorPageController.class);

	private final FhirContext fhirContext;

	ErrorPageController(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	@RequestMapping("/error")
	void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		int status = code instanceof Integer i ? i : 500;
		String path = String.valueOf(request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI));
		String method = request.getMethod();
		String message = switch (status) {
			case 404 -> "Nothing is served at " + path + ": FHIR is at /fhir, HL7 v2 at /hl7v2 (POST), the "
					+ "implementation guide's pages at /ig/ and health at /actuator/health";
			case 405 -> method + " is not allowed on " + path;
			case 406 -> "None of the media types in Accept can be produced for " + path;
			case 415 -> "Content-Type '" + request.getContentType() + "' is not accepted at " + path
					+ (path.startsWith("/hl7v2") ? "; send application/hl7-v2 or text/plain" : "");
			default -> status < 500 ? "The request to " + path + " could not be processed (HTTP " + status + ")" : null;
		};
		if (message == null) {
			String incident = UUID.randomUUID().toString();
			log.error("Unhandled error for {} {} (incident {})", method, path, incident,
					(Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION));
			message = "Internal error (incident " + incident + "); nothing was written";
		}
		IssueType type = switch (status) {
			case 404 -> IssueType.NOTFOUND;
			case 405, 406, 415 -> IssueType.NOTSUPPORTED;
			default -> status < 500 ? IssueType.INVALID : IssueType.EXCEPTION;
		};
		OutcomeResponses.write(fhirContext, request, response, status, OperationOutcomes.error(type, message, null));
	}

}
