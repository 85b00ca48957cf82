package org.hemefhir.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.HtmlUtils;

/**
 * The sign-in page of the built-in authorization server at {@value #PATH}: a plain
 * server-rendered form (no scripts, no external styles) that posts the username, password
 * and CSRF token back to itself. A failed sign-in answers 401 with the form and the
 * error; too many failures ({@link LoginThrottle}) answer 429 before the password is
 * checked. Sign-ins and failures reach the audit trail as the request's identity (the
 * username, never the password).
 */
final class LoginPage extends OncePerRequestFilter {

	static final String PATH = "/login";

	static final String USERNAME = "username";

	static final String PASSWORD = "password";

	private final LoginThrottle throttle;

	private final SavedRequestAwareAuthenticationSuccessHandler continueToAuthorization = new SavedRequestAwareAuthenticationSuccessHandler();

	LoginPage(LoginThrottle throttle, String afterSignInWithoutRequest) {
		this.throttle = throttle;
		continueToAuthorization.setDefaultTargetUrl(afterSignInWithoutRequest);
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !PATH.equals(request.getRequestURI().substring(request.getContextPath().length()));
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if ("GET".equals(request.getMethod())) {
			render(request, response, 200, null, "");
			return;
		}
		String username = request.getParameter(USERNAME);
		if ("POST".equals(request.getMethod()) && throttle.refused(username, request.getRemoteAddr())) {
			TokenIdentity.attach(request, new TokenIdentity(null, shortened(username), null));
			render(request, response, 429, "Too many failed sign-ins. Wait a few minutes and try again.", username);
			return;
		}
		chain.doFilter(request, response);
	}

	AuthenticationFailureHandler failureHandler() {
		return (request, response, exception) -> {
			String username = request.getParameter(USERNAME);
			throttle.failed(username, request.getRemoteAddr());
			TokenIdentity.attach(request, new TokenIdentity(null, shortened(username), null));
			render(request, response, 401, "The username or password is not right.", username);
		};
	}

	AuthenticationSuccessHandler successHandler() {
		return (HttpServletRequest request, HttpServletResponse response, Authentication authentication) -> {
			throttle.succeeded(authentication.getName());
			TokenIdentity.attach(request, new TokenIdentity(null, authentication.getName(), null));
			continueToAuthorization.onAuthenticationSuccess(request, response, authentication);
		};
	}

	private static String shortened(String username) {
		return username == null || username.length() <= 128 ? username : username.substring(0, 128);
	}

	private static void render(HttpServletRequest request, HttpServletResponse response, int status, String error,
			String username) throws IOException {
		CsrfToken csrf = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
		String hidden = csrf == null ? ""
				: "<input type=\"hidden\" name=\"" + HtmlUtils.htmlEscape(csrf.getParameterName()) + "\" value=\""
						+ HtmlUtils.htmlEscape(csrf.getToken()) + "\">";
		String message = error == null ? ""
				: "<p id=\"login-error\" class=\"error\" role=\"alert\">" + HtmlUtils.htmlEscape(error) + "</p>";
		String described = error == null ? "" : " aria-describedby=\"login-error\" aria-invalid=\"true\"";
		String page = """
				<!DOCTYPE html>
				<html lang="en">
				<head>
				<meta charset="utf-8">
				<meta name="viewport" content="width=device-width, initial-scale=1">
				<title>Sign in - HemeFHIR</title>
				<style>
				body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem;color:#1a1a1a}
				label{display:block;margin-top:1rem;font-weight:600}
				input[type=text],input[type=password]{width:100%%;box-sizing:border-box;padding:.5rem;font-size:1rem;border:1px solid #555;border-radius:4px}
				input:focus,button:focus{outline:3px solid #1a5fb4;outline-offset:2px}
				button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem;background:#1a5fb4;color:#fff;border:0;border-radius:4px;cursor:pointer}
				.error{color:#a51d2d;font-weight:600;border-left:4px solid #a51d2d;padding-left:.5rem}
				</style>
				</head>
				<body>
				<main>
				<h1>Sign in to HemeFHIR</h1>
				%s
				<form method="post" action="%s">
				<label for="username">Username</label>
				<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus value="%s"%s>
				<label for="password">Password</label>
				<input type="password" id="password" name="password" autocomplete="current-password" required%s>
				%s
				<button type="submit">Sign in</button>
				</form>
				</main>
				</body>
				</html>
				"""
			.formatted(message, HtmlUtils.htmlEscape(request.getContextPath() + PATH),
					HtmlUtils.htmlEscape(username == null ? "" : shortened(username)), described, described, hidden);
		response.setStatus(status);
		response.setContentType("text/html;charset=UTF-8");
		response.setHeader("Cache-Control", "no-store");
		response.getOutputStream().write(page.getBytes(StandardCharsets.UTF_8));
	}

}
