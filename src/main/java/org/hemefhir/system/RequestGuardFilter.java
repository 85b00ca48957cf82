package org.hemefhir.system;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.hemefhir.fhirserver.ServerProperties;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Checks request bodies before any parser sees them: refuses bodies over
 * {@code hemefhir.max-request-bytes} (413), media types the endpoint cannot read (415),
 * XML carrying a DOCTYPE or entity declarations (400), which closes XXE and entity
 * expansion for every XML reader behind it, and JSON or XML beyond the
 * {@link DocumentLimits} (400, or 422 for a decimal the server cannot take).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class RequestGuardFilter extends OncePerRequestFilter {

	private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH");

	private static final Set<String> FHIR_MEDIA_TYPES = Set.of("application/fhir+json", "application/json",
			"application/json+fhir", "application/fhir+xml", "application/xml", "application/xml+fhir", "text/xml",
			"text/json", "application/json-patch+json", "application/x-www-form-urlencoded", "multipart/form-data");

	private final FhirContext fhirContext;

	private final long maxBytes;

	private final BodyLimits bodyLimits;

	RequestGuardFilter(FhirContext fhirContext, ServerProperties server, LimitsProperties limits) {
		this.fhirContext = fhirContext;
		this.maxBytes = server.maxRequestBytes().toBytes();
		this.bodyLimits = limits.bodyLimits();
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !BODY_METHODS.contains(request.getMethod());
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (request.getContentLengthLong() > maxBytes) {
			reject(response, 413, IssueType.TOOLONG, tooLarge(), request);
			return;
		}
		String mediaType = mediaType(request.getContentType());
		boolean fhirEndpoint = request.getRequestURI().startsWith(request.getContextPath() + "/fhir");
		if (fhirEndpoint && mediaType != null && !FHIR_MEDIA_TYPES.contains(mediaType)) {
			reject(response, 415, IssueType.NOTSUPPORTED, "Content-Type '" + mediaType
					+ "' is not supported here; send application/fhir+json or application/fhir+xml", request);
			return;
		}
		if (isForm(mediaType)) {
			// Form posts (_search) are read by the container as parameters; only their
			// length is checked.
			chain.doFilter(request, response);
			return;
		}
		byte[] body = readAtMost(request.getInputStream(), maxBytes);
		if (body == null) {
			reject(response, 413, IssueType.TOOLONG, tooLarge(), request);
			return;
		}
		boolean xml = looksLikeXml(mediaType, body);
		if (xml && XmlGuard.declaresDtd(new String(body, StandardCharsets.UTF_8))) {
			reject(response, 400, IssueType.SECURITY, XmlGuard.REFUSAL, request);
			return;
		}
		Optional<DocumentLimits.Violation> violation = !structured(mediaType, request) ? Optional.empty()
				: xml ? DocumentLimits.checkXml(body, bodyLimits) : DocumentLimits.checkJson(body, bodyLimits);
		if (violation.isPresent()) {
			DocumentLimits.Violation v = violation.get();
			OutcomeResponses.write(fhirContext, request, response, v.status(),
					OperationOutcomes.error(v.type(), v.message(), v.expression()));
			return;
		}
		chain.doFilter(new BufferedBodyRequest(request, body), response);
	}

	/**
	 * FHIR JSON or XML (or a body without a type, which HAPI reads as such); not HL7 v2
	 * or JSON Patch text.
	 */
	private static boolean structured(String mediaType, HttpServletRequest request) {
		if (mediaType == null) {
			return request.getRequestURI().startsWith(request.getContextPath() + "/fhir");
		}
		return mediaType.contains("json") || mediaType.contains("xml");
	}

	private String tooLarge() {
		return "Request body exceeds the limit of " + maxBytes + " bytes (hemefhir.max-request-bytes)";
	}

	private static String mediaType(String contentType) {
		if (contentType == null || contentType.isBlank()) {
			return null;
		}
		int semicolon = contentType.indexOf(';');
		return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
	}

	private static boolean isForm(String mediaType) {
		return "application/x-www-form-urlencoded".equals(mediaType) || "multipart/form-data".equals(mediaType);
	}

	private static boolean looksLikeXml(String mediaType, byte[] body) {
		if (mediaType != null && mediaType.contains("xml")) {
			return true;
		}
		for (byte b : body) {
			if (!Character.isWhitespace(b) && b != (byte) 0xEF && b != (byte) 0xBB && b != (byte) 0xBF) {
				return b == '<';
			}
		}
		return false;
	}

	/**
	 * Reads the body, or returns null as soon as it passes the limit (chunked bodies have
	 * no length).
	 */
	private static byte[] readAtMost(InputStream in, long limit) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		long total = 0;
		int n;
		while ((n = in.read(buffer)) != -1) {
			total += n;
			if (total > limit) {
				return null;
			}
			out.write(buffer, 0, n);
		}
		return out.toByteArray();
	}

	private void reject(HttpServletResponse response, int status, IssueType type, String message,
			HttpServletRequest request) throws IOException {
		OutcomeResponses.write(fhirContext, request, response, status, OperationOutcomes.error(type, message, null));
	}

	/** The request with its body already read into memory. */
	private static final class BufferedBodyRequest extends HttpServletRequestWrapper {

		private final byte[] body;

		BufferedBodyRequest(HttpServletRequest request, byte[] body) {
			super(request);
			this.body = body;
		}

		@Override
		public ServletInputStream getInputStream() {
			ByteArrayInputStream in = new ByteArrayInputStream(body);
			return new ServletInputStream() {
				@Override
				public int read() {
					return in.read();
				}

				@Override
				public int read(byte[] b, int off, int len) {
					return in.read(b, off, len);
				}

				@Override
				public boolean isFinished() {
					return in.available() == 0;
				}

				@Override
				public boolean isReady() {
					return true;
				}

				@Override
				public void setReadListener(ReadListener listener) {
					throw new IllegalStateException("Asynchronous reads are not supported");
				}
			};
		}

		@Override
		public BufferedReader getReader() {
			String encoding = getCharacterEncoding() == null ? "UTF-8" : getCharacterEncoding();
			return new BufferedReader(
					new InputStreamReader(getInputStream(), java.nio.charset.Charset.forName(encoding)));
		}

		@Override
		public int getContentLength() {
			return body.length;
		}

		@Override
		public long getContentLengthLong() {
			return body.length;
		}

	}

}
