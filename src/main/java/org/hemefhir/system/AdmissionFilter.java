package org.hemefhir.system;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The first thing every HTTP request meets: a slot from {@link Admission} (or 503 with
 * Retry-After) and its {@link RequestBudget}, both released when the request ends. Health
 * checks pass without either, so that a busy server can still say it is busy.
 */
@Component
// right after the audit trail's filter, which records what admission turns away
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class AdmissionFilter extends OncePerRequestFilter {

	private final Admission admission;

	private final FhirContext fhirContext;

	AdmissionFilter(Admission admission, FhirContext fhirContext) {
		this.admission = admission;
		this.fhirContext = fhirContext;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return request.getRequestURI().startsWith(request.getContextPath() + "/actuator/");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Optional<Admission.Slot> slot = admission.enter();
		if (slot.isEmpty()) {
			ServerBusyException busy = admission.busy();
			busy.getResponseHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
			OutcomeResponses.write(fhirContext, request, response, 503,
					(org.hl7.fhir.r4.model.OperationOutcome) busy.getOperationOutcome());
			return;
		}
		RequestBudget.Connection connection = new RequestBudget.Connection(request.getRemoteAddr(),
				request.getRemotePort(), request.getLocalPort());
		try (Admission.Slot taken = slot.get();
				RequestBudget budget = RequestBudget.open(admission.limits(), connection,
						request.getMethod() + " " + request.getRequestURI())) {
			chain.doFilter(request, response);
		}
	}

}
