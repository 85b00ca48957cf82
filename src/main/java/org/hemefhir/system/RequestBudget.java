package org.hemefhir.system;

import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The time budget of the request the current thread is working on, and the way to stop
 * that work: database statements are given the time that is left
 * ({@link BudgetedDataSource}) and cancelled when it runs out or the client goes away
 * ({@link ClientWatch}); CPU-bound work such as validation calls {@link #checkpoint()}
 * and stops there. Threads that serve no request (start-up, batch jobs) have no budget
 * and are not limited.
 */
public final class RequestBudget implements AutoCloseable {

	/** Why work was stopped. */
	public enum Reason {

		TIMEOUT, CLIENT_GONE

	}

	/** Where the request came from, to notice when that connection closes. */
	public record Connection(String remoteAddress, int remotePort, int localPort) {
		static final Connection NONE = new Connection(null, -1, -1);

	}

	private static final ThreadLocal<RequestBudget> CURRENT = new ThreadLocal<>();

	private static final Set<RequestBudget> IN_FLIGHT = ConcurrentHashMap.newKeySet();

	private final Duration budget;

	private final Duration retryAfter;

	private final long startNanos = System.nanoTime();

	private final long deadlineNanos;

	private final Connection connection;

	private final String description;

	private final Set<Statement> running = ConcurrentHashMap.newKeySet();

	private static final long[] RECANCEL_AFTER_MILLIS = { 50, 250, 1000 };

	private volatile Reason stopped;

	private RequestBudget(Duration budget, Duration retryAfter, Connection connection, String description) {
		this.budget = budget;
		this.retryAfter = retryAfter;
		this.deadlineNanos = startNanos + budget.toNanos();
		this.connection = connection;
		this.description = description;
	}

	/**
	 * Starts the budget of the request this thread now serves; close it when the request
	 * ends.
	 */
	public static RequestBudget open(LimitsProperties limits, Connection connection, String description) {
		RequestBudget opened = new RequestBudget(limits.requestTimeout(), limits.retryAfter(),
				connection == null ? Connection.NONE : connection, description);
		CURRENT.set(opened);
		IN_FLIGHT.add(opened);
		return opened;
	}

	public static Optional<RequestBudget> current() {
		return Optional.ofNullable(CURRENT.get());
	}

	/**
	 * Throws the request's 503 if its time is up or its client has gone; does nothing
	 * outside a request.
	 */
	public static void checkpoint() {
		RequestBudget budget = CURRENT.get();
		if (budget != null) {
			budget.check();
		}
	}

	static Collection<RequestBudget> inFlight() {
		return Collections.unmodifiableSet(IN_FLIGHT);
	}

	public void check() {
		if (stopped == null && System.nanoTime() - deadlineNanos > 0) {
			stop(Reason.TIMEOUT);
		}
		if (stopped != null) {
			throw exception();
		}
	}

	/** Stopped, or past its deadline. */
	public boolean isOver() {
		return stopped != null || System.nanoTime() - deadlineNanos > 0;
	}

	public long remainingMillis() {
		return Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
	}

	long ageMillis() {
		return (System.nanoTime() - startNanos) / 1_000_000;
	}

	Connection connection() {
		return connection;
	}

	/** The answer for work stopped by this budget. */
	public RequestCancelledException exception() {
		Reason reason = stopped == null ? Reason.TIMEOUT : stopped;
		return new RequestCancelledException(reason, budget, retryAfter);
	}

	/**
	 * Marks the request stopped and cancels the statements it is running. A statement
	 * registered but not yet begun by the driver ignores a cancel (H2 clears it when the
	 * statement starts), so what is still running is cancelled again a little later.
	 */
	void stop(Reason reason) {
		if (stopped == null) {
			stopped = reason;
		}
		cancelRunning();
		if (!running.isEmpty()) {
			for (long delay : RECANCEL_AFTER_MILLIS) {
				CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(this::cancelRunning);
			}
		}
	}

	private void cancelRunning() {
		for (Statement statement : running) {
			try {
				statement.cancel();
			}
			catch (SQLException | RuntimeException ignored) {
				// the statement ended on its own meanwhile
			}
		}
	}

	void running(Statement statement) {
		running.add(statement);
	}

	void finished(Statement statement) {
		running.remove(statement);
	}

	@Override
	public void close() {
		IN_FLIGHT.remove(this);
		if (CURRENT.get() == this) {
			CURRENT.remove();
		}
	}

	@Override
	public String toString() {
		return description;
	}

}
