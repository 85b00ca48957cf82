package org.hemefhir.validation;

import java.lang.reflect.Field;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.hemefhir.system.RequestBudget;
import org.hl7.fhir.validation.BaseValidator;
import org.hl7.fhir.validation.codesystem.CodingsObserver;
import org.hl7.fhir.validation.instance.InstanceValidator;

/**
 * A fixed number of HL7 {@link InstanceValidator}s, each used by one validation at a
 * time.
 *
 * <p>
 * Building an InstanceValidator costs ~10 ms (FHIRPath and profile engines, their
 * caches), so they are reused; but one keeps every validated resource's element tree
 * reachable through per-call collections it never empties (the codings it observed, the
 * code/text pairs it meant to check, narrative id maps), some 130 kB per resource: a
 * server that reused one per thread died of it after about twenty thousand writes. After
 * each use those collections are emptied here, and as a second line of defence an
 * instance is replaced after {@value #USES_PER_INSTANCE} uses. The pool size also bounds
 * how many validations run at once (they are CPU-bound).
 */
final class InstanceValidatorPool {

	static final int USES_PER_INSTANCE = 5_000;

	/**
	 * Per-validation state of the HL7 validator 6.7: fields that grow with every
	 * validated resource.
	 */
	private static final List<Field> PER_VALIDATION_COLLECTIONS = List.of(
			field(InstanceValidator.class, "xhtmlElementMap"), field(InstanceValidator.class, "fetchCache"),
			field(InstanceValidator.class, "resourceTracker"), field(InstanceValidator.class, "textsToCheck"),
			field(InstanceValidator.class, "textsToCheckKeys"), field(BaseValidator.class, "trackedMessages"),
			field(BaseValidator.class, "messagesToRemove"));

	private static final Field CODING_OBSERVER = field(InstanceValidator.class, "codingObserver");

	private static final Field OBSERVED_CODINGS = field(CodingsObserver.class, "list");

	private final Supplier<InstanceValidator> factory;

	private final BlockingQueue<Pooled> idle;

	private final AtomicInteger created = new AtomicInteger();

	private final int size;

	private record Pooled(InstanceValidator validator, int uses) {
	}

	InstanceValidatorPool(int size, Supplier<InstanceValidator> factory) {
		this.size = size;
		this.factory = factory;
		this.idle = new ArrayBlockingQueue<>(size);
	}

	/**
	 * Runs {@code work} with a validator; waits for one while all are busy, as long as
	 * the current request's budget allows (without a request, as long as it takes).
	 */
	<T> T with(Function<InstanceValidator, T> work) {
		Pooled pooled = take();
		boolean healthy = false;
		try {
			T result = work.apply(pooled.validator());
			healthy = true;
			return result;
		}
		finally {
			give(pooled, healthy);
		}
	}

	private Pooled take() {
		Pooled pooled = idle.poll();
		if (pooled != null) {
			return pooled;
		}
		if (created.incrementAndGet() <= size) {
			try {
				return new Pooled(factory.get(), 0);
			}
			catch (RuntimeException | Error e) {
				created.decrementAndGet();
				throw e;
			}
		}
		created.decrementAndGet();
		try {
			RequestBudget budget = RequestBudget.current().orElse(null);
			if (budget == null) {
				return idle.take();
			}
			pooled = idle.poll(budget.remainingMillis(), TimeUnit.MILLISECONDS);
			if (pooled == null) {
				throw budget.exception();
			}
			return pooled;
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for a validator", e);
		}
	}

	private void give(Pooled pooled, boolean healthy) {
		int uses = pooled.uses() + 1;
		if (!healthy || uses >= USES_PER_INSTANCE || !clear(pooled.validator())) {
			// An instance interrupted mid-validation may hold half-built state: a new one
			// takes its place,
			// built now so that a request waiting for a validator gets it.
			try {
				idle.offer(new Pooled(factory.get(), 0));
			}
			catch (RuntimeException | Error e) {
				// the next take() builds one instead; the failure itself is the caller's
				// to see
				created.decrementAndGet();
			}
			return;
		}
		idle.offer(new Pooled(pooled.validator(), uses));
	}

	/** Empties what the last validation left behind; false if that could not be done. */
	static boolean clear(InstanceValidator validator) {
		try {
			for (Field f : PER_VALIDATION_COLLECTIONS) {
				Object value = f.get(validator);
				if (value instanceof Collection<?> c) {
					c.clear();
				}
				else if (value instanceof Map<?, ?> m) {
					m.clear();
				}
			}
			Object observer = CODING_OBSERVER.get(validator);
			if (observer != null) {
				((Collection<?>) OBSERVED_CODINGS.get(observer)).clear();
			}
			return true;
		}
		catch (IllegalAccessException | RuntimeException e) {
			return false;
		}
	}

	/**
	 * Elements still held in the per-validation collections of {@code validator} (tests).
	 */
	static int retainedCount(InstanceValidator validator) {
		try {
			int n = 0;
			for (Field f : PER_VALIDATION_COLLECTIONS) {
				Object value = f.get(validator);
				n += value instanceof Collection<?> c ? c.size() : value instanceof Map<?, ?> m ? m.size() : 0;
			}
			Object observer = CODING_OBSERVER.get(validator);
			return n + (observer == null ? 0 : ((Collection<?>) OBSERVED_CODINGS.get(observer)).size());
		}
		catch (IllegalAccessException e) {
			throw new IllegalStateException(e);
		}
	}

	/** Fails at class loading, not silently, if a validator upgrade renamed a field. */
	private static Field field(Class<?> type, String name) {
		try {
			Field f = type.getDeclaredField(name);
			f.setAccessible(true);
			return f;
		}
		catch (NoSuchFieldException e) {
			throw new IllegalStateException("The HL7 validator changed: " + type.getName() + "." + name
					+ " is gone; review InstanceValidatorPool for what now keeps per-validation state", e);
		}
	}

}
