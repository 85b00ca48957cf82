package org.hemefhir.audit;

import java.util.List;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one background thread that stores audit records: batches from the queue, then what
 * was spilled to the file. A batch that cannot be stored (the database is away) is
 * spilled and tried again after a pause. On stop it stores what is still queued; what it
 * cannot store in time is spilled, to be stored after the next start.
 */
final class AuditWriter {

	private static final Logger log = LoggerFactory.getLogger(AuditWriter.class);

	private static final long POLL_MILLIS = 200;

	private static final long RETRY_PAUSE_MILLIS = 5_000;

	private final AuditQueue queue;

	private final AuditSink sink;

	private final int batchSize;

	private volatile boolean running;

	private Thread thread;

	private volatile long lastFailure;

	AuditWriter(AuditQueue queue, AuditSink sink, int batchSize) {
		this.queue = queue;
		this.sink = sink;
		this.batchSize = Math.max(1, batchSize);
	}

	boolean running() {
		return running;
	}

	synchronized void start() {
		if (running) {
			return;
		}
		running = true;
		thread = new Thread(this::run, "audit-writer");
		thread.setDaemon(true);
		thread.start();
	}

	/** Stores what is queued (waiting at most {@code waitMillis}), spills the rest. */
	void stop(long waitMillis) {
		Thread t;
		synchronized (this) {
			running = false;
			t = thread;
			thread = null;
		}
		if (t == null) {
			return;
		}
		try {
			t.join(waitMillis);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		if (t.isAlive()) {
			t.interrupt();
		}
		try {
			List<Resource> left;
			while (!(left = queue.take(1024, 0)).isEmpty()) {
				queue.spill(left);
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		queue.close();
	}

	private void run() {
		while (true) {
			boolean stopping = !running;
			List<Resource> batch;
			try {
				batch = queue.take(batchSize, stopping ? 0 : POLL_MILLIS);
			}
			catch (InterruptedException e) {
				return;
			}
			if (batch.isEmpty()) {
				if (stopping) {
					return;
				}
				drainSpilled();
				continue;
			}
			if (!store(batch) && stopping) {
				return;
			}
		}
	}

	/** Stores one batch; on failure spills it and pauses. */
	boolean store(List<Resource> batch) {
		try {
			sink.store(batch);
			return true;
		}
		catch (RuntimeException e) {
			log.warn("Audit batch of {} not stored ({}); kept in the spill file and tried again", batch.size(),
					e.getMessage());
			queue.spill(batch);
			lastFailure = System.currentTimeMillis();
			pause();
			return false;
		}
	}

	/** Stores what was spilled, unless a store failed moments ago. */
	void drainSpilled() {
		if (!queue.hasSpilled() || System.currentTimeMillis() - lastFailure < RETRY_PAUSE_MILLIS) {
			return;
		}
		try {
			queue.drainSpilled(batchSize, sink::store);
		}
		catch (Exception e) {
			log.warn("Audit spill file not stored yet ({}); tried again later", e.getMessage());
			lastFailure = System.currentTimeMillis();
		}
	}

	private void pause() {
		try {
			Thread.sleep(running ? RETRY_PAUSE_MILLIS : 0);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

}
