package org.hemefhir.ingest.bulk;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Lets the chunks of an import job be stored in the order of its lines. HAPI's fetch step
 * cuts the files (already ordered so that referenced types come first) into chunks and
 * numbers each by the last line it holds, counted over all files; a chunk holding lines
 * {@code start+1..end} waits until the job's chunks up to line {@code start} were stored.
 * What has been stored is known in memory only: after a restart, or when the chunk that
 * is waited for does not come within {@code patience} (it may be queued behind the
 * waiting ones), a chunk goes ahead and HAPI's retries of a refused transaction take
 * over.
 */
final class ChunkOrder {

	private final Map<String, Integer> storedUpTo = new HashMap<>();

	private final long patienceNanos;

	ChunkOrder(Duration patience) {
		this.patienceNanos = patience.toNanos();
	}

	synchronized void awaitTurn(String job, int start) {
		long deadline = System.nanoTime() + patienceNanos;
		while (storedUpTo.getOrDefault(job, 0) < start) {
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				return;
			}
			try {
				wait(Math.max(1, left / 1_000_000));
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	synchronized void done(String job, int end) {
		storedUpTo.merge(job, end, Math::max);
		notifyAll();
	}

}
