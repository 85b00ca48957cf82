package org.hemefhir.system;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Writes an OperationOutcome from outside HAPI (servlet filters, error pages) as the
 * client asked: XML or JSON.
 */
public final class OutcomeResponses {

	private OutcomeResponses() {
	}

	public static void write(FhirContext fhirContext, HttpServletRequest request, HttpServletResponse response,
			int status, OperationOutcome outcome) throws IOException {
		boolean xml = wantsXml(request);
		response.setStatus(status);
		response.setCharacterEncoding("UTF-8");
		response.setContentType(xml ? "application/fhir+xml" : "application/fhir+json");
		String encoded = xml ? fhirContext.newXmlParser().encodeResourceToString(outcome)
				: fhirContext.newJsonParser().encodeResourceToString(outcome);
		response.getWriter().write(encoded);
	}

	public static boolean wantsXml(HttpServletRequest request) {
		String format = request.getParameter("_format");
		if (format != null) {
			return format.contains("xml");
		}
		String accept = request.getHeader("Accept");
		return accept != null && accept.contains("xml") && !accept.contains("json");
	}

}
