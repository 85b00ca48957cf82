package org.hemefhir.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue never blocks and never drops: what does not fit goes to the spill file, the
 * writer stores it later, each record exactly once.
 */
class AuditQueueTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	/** Counts how often each record id was stored. */
	private static final class CountingSink implements AuditSink {

		final Map<String, AtomicInteger> stored = new ConcurrentHashMap<>();

		/** The database is stuck until this opens. */
		final CountDownLatch open = new CountDownLatch(1);

		@Override
		public void store(List<Resource> records) {
			try {
				open.await();
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			records.forEach(r -> stored.computeIfAbsent(r.getIdElement().getIdPart(), k -> new AtomicInteger())
				.incrementAndGet());
		}

		int total() {
			return stored.values().stream().mapToInt(AtomicInteger::get).sum();
		}

	}

	private static AuditEvent event(String id) {
		AuditEvent event = new AuditEvent();
		event.setId(id);
		return event;
	}

	@Test
	void sixteenThreadsOverASmallQueueLoseAndRepeatNothing(@TempDir Path dir) throws Exception {
		AuditQueue queue = new AuditQueue(8, dir.resolve("spill.ndjson"), FHIR);
		CountingSink sink = new CountingSink();
		AuditWriter writer = new AuditWriter(queue, sink, 20);
		writer.start();
		int threads = 16;
		int each = 250;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		CountDownLatch start = new CountDownLatch(1);
		List<java.util.concurrent.Future<?>> done = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int thread = t;
			done.add(pool.submit(() -> {
				start.await();
				for (int i = 0; i < each; i++) {
					queue.add(event("e-" + thread + "-" + i));
				}
				return null;
			}));
		}
		start.countDown();
		// every thread finishes adding while the database is stuck: nothing waits for it
		for (var future : done) {
			future.get(30, TimeUnit.SECONDS);
		}
		pool.shutdown();
		sink.open.countDown();
		assertThat(queue.hasSpilled()).as("the queue overflowed into the file").isTrue();
		awaitStored(sink, threads * each, writer);
		assertThat(sink.stored).hasSize(threads * each);
		assertThat(sink.stored.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
		writer.stop(5_000);
		assertThat(Files.exists(dir.resolve("spill.ndjson.draining"))).isFalse();
	}

	@Test
	void aFailedStoreIsKeptInTheFileAndStoredLater(@TempDir Path dir) throws Exception {
		AuditQueue queue = new AuditQueue(100, dir.resolve("spill.ndjson"), FHIR);
		AtomicBoolean databaseDown = new AtomicBoolean(true);
		CountingSink working = new CountingSink();
		working.open.countDown();
		AuditSink sink = records -> {
			if (databaseDown.get()) {
				throw new IllegalStateException("database unreachable");
			}
			working.store(records);
		};
		AuditWriter writer = new AuditWriter(queue, sink, 10);
		List<Resource> batch = new ArrayList<>();
		for (int i = 0; i < 25; i++) {
			batch.add(event("f-" + i));
		}
		assertThat(writer.store(batch)).isFalse();
		assertThat(queue.hasSpilled()).isTrue();
		databaseDown.set(false);
		queue.drainSpilled(10, sink::store);
		assertThat(working.stored).hasSize(25);
		assertThat(working.total()).isEqualTo(25);
		assertThat(queue.hasSpilled()).isFalse();
	}

	@Test
	void whatIsQueuedAtShutdownIsStoredAfterTheNextStart(@TempDir Path dir) throws Exception {
		Path file = dir.resolve("spill.ndjson");
		AuditQueue queue = new AuditQueue(100, file, FHIR);
		AuditWriter stopped = new AuditWriter(queue, records -> {
			throw new IllegalStateException("never started");
		}, 10);
		for (int i = 0; i < 30; i++) {
			queue.add(event("s-" + i));
		}
		stopped.stop(0);
		queue.close();
		queue.add(event("late")); // after shutdown began: straight to the file
		assertThat(Files.readAllLines(file)).hasSize(31);

		AuditQueue restarted = new AuditQueue(100, file, FHIR);
		CountingSink sink = new CountingSink();
		sink.open.countDown();
		AuditWriter writer = new AuditWriter(restarted, sink, 10);
		writer.start();
		awaitStored(sink, 31, writer);
		writer.stop(5_000);
		assertThat(sink.stored).containsKey("late").hasSize(31);
	}

	private static void awaitStored(CountingSink sink, int expected, AuditWriter writer) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (sink.total() < expected && System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
		assertThat(sink.total()).isEqualTo(expected);
	}

}
