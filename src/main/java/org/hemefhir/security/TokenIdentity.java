package org.hemefhir.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Who sent a request, as its verified bearer token says: the client application
 * ({@code client_id}, else {@code azp}, else {@code sub}), the subject ({@code sub}) and
 * the token's id ({@code jti}). Kept on the request, so that code running after Spring
 * Security has cleared its context (the audit trail) still knows it. Absent when the
 * request carried no valid token, and always in {@code off} mode.
 *
 * @param clientId the client application the token was issued to
 * @param subject the token's subject (the user, or the client itself for system tokens)
 * @param tokenId the token's {@code jti}, or null
 */
public record TokenIdentity(String clientId, String subject, String tokenId) {

	private static final String ATTRIBUTE = TokenIdentity.class.getName();

	/** The identity of the request's verified token, if it had one. */
	public static Optional<TokenIdentity> of(ServletRequest request) {
		return request.getAttribute(ATTRIBUTE) instanceof TokenIdentity identity ? Optional.of(identity)
				: Optional.empty();
	}

	/**
	 * Records who acted on a request that carries no bearer token: a sign-in (the
	 * username) or a token issued (the client and the user).
	 */
	static void attach(ServletRequest request, TokenIdentity identity) {
		request.setAttribute(ATTRIBUTE, identity);
	}

	static TokenIdentity of(Jwt token) {
		String client = firstOf(token.getClaimAsString("client_id"), token.getClaimAsString("azp"), token.getSubject());
		return new TokenIdentity(client, token.getSubject(), token.getId());
	}

	private static String firstOf(String... values) {
		for (String value : values) {
			if (value != null && !value.isBlank()) {
				return value;
			}
		}
		return null;
	}

	/**
	 * Runs right after the bearer token was verified: keeps its identity on the request.
	 */
	static final class CaptureFilter extends OncePerRequestFilter {

		@Override
		protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
				throws ServletException, IOException {
			Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
			if (authentication instanceof JwtAuthenticationToken token) {
				request.setAttribute(ATTRIBUTE, of(token.getToken()));
			}
			chain.doFilter(request, response);
		}

	}

}
