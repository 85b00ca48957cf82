package org.hemefhir.security;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sign-in sessions of the authorization server (the only part of the server with
 * sessions): each lives {@link #idle} without use, and while {@link #capacity} are open a
 * request that would start another is refused (503), so anonymous authorization requests
 * cannot fill the memory with sessions.
 */
final class SignInSessions implements HttpSessionListener {

	private final int capacity;

	private final Duration idle;

	private final AtomicInteger open = new AtomicInteger();

	SignInSessions(int capacity, Duration idle) {
		this.capacity = capacity;
		this.idle = idle;
	}

	@Override
	public void sessionCreated(HttpSessionEvent event) {
		open.incrementAndGet();
		event.getSession().setMaxInactiveInterval((int) idle.toSeconds());
	}

	@Override
	public void sessionDestroyed(HttpSessionEvent event) {
		open.decrementAndGet();
	}

	int open() {
		return open.get();
	}

	/**
	 * For the authorization server's chain only (a Filter bean would be put in front of
	 * every path).
	 */
	Filter refuseBeyondCapacity() {
		return this::refuseBeyondCapacity;
	}

	private void refuseBeyondCapacity(ServletRequest servletRequest, ServletResponse servletResponse, FilterChain chain)
			throws ServletException, IOException {
		HttpServletRequest request = (HttpServletRequest) servletRequest;
		HttpServletResponse response = (HttpServletResponse) servletResponse;
		if (request.getSession(false) == null && open.get() >= capacity) {
			response.setStatus(503);
			response.setHeader("Retry-After", "60");
			response.setContentType("application/json");
			response.getWriter()
				.write("{\"error\":\"temporarily_unavailable\",\"error_description\":\"Too many sign-ins are in progress on this server; try again in a minute\"}");
			return;
		}
		chain.doFilter(request, response);
	}

}
