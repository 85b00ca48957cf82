package org.hemefhir.system;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * How many requests are worked on at once, over HTTP and MLLP together. A request that
 * finds all {@code hemefhir.limits.max-concurrent-requests} slots taken waits up to
 * {@code hemefhir.limits.queue-timeout} and is then turned away with 503 and Retry-After:
 * past that point more requests only make every request slower (two cores, one database
 * pool), and a client told to come back is better served than one left waiting without
 * limit.
 */
@Component
public class Admission {

	private final LimitsProperties limits;

	private final Semaphore slots;

	private final AtomicLong refused = new AtomicLong();

	private final AtomicLong admitted = new AtomicLong();

	private volatile long lastRefusedNanos = System.nanoTime() - Duration.ofHours(1).toNanos();

	public Admission(LimitsProperties limits) {
		this.limits = limits;
		this.slots = new Semaphore(limits.maxConcurrentRequests(), true);
	}

	/**
	 * A slot for one request, to be closed when it ends; empty when the server is full.
	 */
	public Optional<Slot> enter() {
		try {
			if (slots.tryAcquire(limits.queueTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
				admitted.incrementAndGet();
				return Optional.of(new Slot());
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		refused.incrementAndGet();
		lastRefusedNanos = System.nanoTime();
		return Optional.empty();
	}

	public ServerBusyException busy() {
		return new ServerBusyException(limits.maxConcurrentRequests() + " requests are being served at once",
				limits.retryAfter());
	}

	public LimitsProperties limits() {
		return limits;
	}

	int inFlight() {
		return limits.maxConcurrentRequests() - slots.availablePermits();
	}

	long refused() {
		return refused.get();
	}

	long admitted() {
		return admitted.get();
	}

	/** True when a request was turned away in the last {@code window}. */
	boolean refusedWithin(Duration window) {
		return System.nanoTime() - lastRefusedNanos < window.toNanos();
	}

	/** One taken slot. */
	public final class Slot implements AutoCloseable {

		private boolean released;

		@Override
		public void close() {
			if (!released) {
				released = true;
				slots.release();
			}
		}

	}

}
