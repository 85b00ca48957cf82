package org.hemefhir.audit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.hemefhir.security.TokenIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Audits every HTTP request when it ends, answered or refused: it runs outside admission
 * control and Spring Security (see {@link AuditConfig} for its order), so a 503 for load
 * and a 401 or 403 are recorded like any answer. The health checks and the public
 * documentation paths are not audited unless refused. Recording only builds the
 * AuditEvent and queues it; a failure to do so is logged and never reaches the client.
 */
class AuditFilter extends OncePerRequestFilter {

	private static final Logger log = LoggerFactory.getLogger(AuditFilter.class);

	/** Public paths without patient data, audited only when refused. */
	private static final List<String> QUIET_PATHS = List.of("/fhir/metadata", "/fhir/.well-known/", "/.well-known/",
			"/ig/", "/viewer/", "/favicon.ico");

	static final String HL7V2_PATH = "/hl7v2";

	private final AuditTrail trail;

	AuditFilter(AuditTrail trail) {
		this.trail = trail;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !trail.enabled() || request.getRequestURI().startsWith(request.getContextPath() + "/actuator/");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Exchange exchange = new Exchange();
		request.setAttribute(Exchange.ATTRIBUTE, exchange);
		boolean thrown = true;
		try {
			chain.doFilter(request, response);
			thrown = false;
		}
		finally {
			try {
				audit(request, response, exchange, thrown);
			}
			catch (RuntimeException e) {
				log.error("{} {} not audited: {}", request.getMethod(), request.getRequestURI(), e.toString());
			}
		}
	}

	private void audit(HttpServletRequest request, HttpServletResponse response, Exchange exchange, boolean thrown) {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		int status = thrown && response.getStatus() < 400 ? 500 : response.getStatus();
		if (status < 400 && (path.equals("/") || QUIET_PATHS.stream().anyMatch(path::startsWith))) {
			return;
		}
		Interaction interaction = Interaction.classify(request.getMethod(), path);
		if ("batch".equals(exchange.bundleType) && "transaction".equals(interaction.code())) {
			interaction = interaction.as("batch");
		}
		Hl7v2Message hl7v2 = exchange.hl7v2;
		if (hl7v2 == null && (path.equals(HL7V2_PATH) || path.startsWith(HL7V2_PATH + "/"))) {
			// refused before the message was read
			hl7v2 = new Hl7v2Message(null, null, null, List.of());
		}
		String query = request.getQueryString() != null ? request.getQueryString() : exchange.searchParameters;
		trail.record(new AuditRecords.Observed(Instant.now(), "http", request.getMethod(), path, query, status,
				exchange.failure, request.getRemoteAddr(), TokenIdentity.of(request).orElse(null), interaction,
				Exchange.copy(exchange.writes), hl7v2));
	}

}
