package org.hemefhir.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audit records waiting to be stored: a bounded queue in memory and, for what does not
 * fit, an append-only NDJSON file. {@link #add} never blocks and never drops: when the
 * queue is full the record goes to the file, which the writer stores later
 * ({@link #drainSpilled}). Records carry their own ids and are stored as updates, so a
 * file stored twice (a crash halfway) stores nothing twice.
 */
final class AuditQueue {

	private static final Logger log = LoggerFactory.getLogger(AuditQueue.class);

	private final BlockingQueue<Resource> memory;

	/** Only when the spill file cannot be written: unbounded, but nothing is lost. */
	private final java.util.Queue<Resource> overflow = new java.util.concurrent.ConcurrentLinkedQueue<>();

	private final Path spill;

	private final Path draining;

	private final FhirContext fhirContext;

	private BufferedWriter spillWriter;

	private volatile boolean spilled;

	/** After shutdown began: straight to the file, which the next start stores. */
	private volatile boolean closed;

	AuditQueue(int capacity, Path spill, FhirContext fhirContext) {
		this.memory = new ArrayBlockingQueue<>(Math.max(1, capacity));
		this.spill = spill;
		this.draining = spill.resolveSibling(spill.getFileName() + ".draining");
		this.fhirContext = fhirContext;
		this.spilled = Files.exists(spill) || Files.exists(draining);
	}

	/** Queues a record, or appends it to the spill file when the queue is full. */
	void add(Resource record) {
		if (closed || !memory.offer(record)) {
			spill(List.of(record));
		}
	}

	/** Appends records to the spill file (queue full, a failed store, shutdown). */
	synchronized void spill(Collection<? extends Resource> records) {
		if (records.isEmpty()) {
			return;
		}
		IParser parser = fhirContext.newJsonParser().setPrettyPrint(false);
		try {
			if (spillWriter == null) {
				Files.createDirectories(spill.toAbsolutePath().getParent());
				spillWriter = Files.newBufferedWriter(spill, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
						StandardOpenOption.APPEND);
			}
			for (Resource record : records) {
				spillWriter.write(parser.encodeResourceToString(record));
				spillWriter.write('\n');
			}
			spillWriter.flush();
			spilled = true;
		}
		catch (IOException e) {
			// the disk refuses too: keep them in memory beyond the capacity rather than
			// lose them
			log.error("Audit spill file {} cannot be written ({}); {} record(s) kept in memory", spill, e.getMessage(),
					records.size());
			overflow.addAll(records);
		}
	}

	/**
	 * Up to {@code max} records from memory, waiting at most {@code waitMillis} for the
	 * first.
	 */
	List<Resource> take(int max, long waitMillis) throws InterruptedException {
		List<Resource> batch = new ArrayList<>(Math.min(max, 1024));
		for (Resource r; batch.size() < max && (r = overflow.poll()) != null;) {
			batch.add(r);
		}
		if (!batch.isEmpty()) {
			memory.drainTo(batch, max - batch.size());
			return batch;
		}
		Resource first = memory.poll(waitMillis, TimeUnit.MILLISECONDS);
		if (first == null) {
			return batch;
		}
		batch.add(first);
		memory.drainTo(batch, max - 1);
		return batch;
	}

	int inMemory() {
		return memory.size() + overflow.size();
	}

	boolean hasSpilled() {
		return spilled;
	}

	/**
	 * Hands the spilled records to {@code store} in batches of {@code batchSize}, and
	 * deletes the file once all were stored. If {@code store} throws, the file stays and
	 * is drained again from its start next time.
	 */
	void drainSpilled(int batchSize, Consumer<List<Resource>> store) throws IOException {
		synchronized (this) {
			if (!Files.exists(draining)) {
				if (spillWriter != null) {
					spillWriter.close();
					spillWriter = null;
				}
				if (!Files.exists(spill)) {
					spilled = false;
					return;
				}
				// appends go to a new spill file from now on
				Files.move(spill, draining, StandardCopyOption.ATOMIC_MOVE);
			}
		}
		IParser parser = fhirContext.newJsonParser();
		try (BufferedReader in = Files.newBufferedReader(draining, StandardCharsets.UTF_8)) {
			List<Resource> batch = new ArrayList<>(batchSize);
			String line;
			while ((line = in.readLine()) != null) {
				if (line.isBlank()) {
					continue;
				}
				try {
					batch.add((Resource) parser.parseResource(line));
				}
				catch (RuntimeException e) {
					// a line cut short by a crash while it was written
					log.error("Audit spill file {}: unreadable line skipped ({})", draining, e.getMessage());
				}
				if (batch.size() >= batchSize) {
					store.accept(batch);
					batch = new ArrayList<>(batchSize);
				}
			}
			if (!batch.isEmpty()) {
				store.accept(batch);
			}
		}
		catch (UncheckedIOException e) {
			throw e.getCause();
		}
		Files.delete(draining);
		synchronized (this) {
			spilled = Files.exists(spill);
		}
	}

	synchronized void close() {
		closed = true;
		List<Resource> left = new ArrayList<>(overflow);
		overflow.clear();
		memory.drainTo(left);
		spill(left);
		if (spillWriter != null) {
			try {
				spillWriter.close();
			}
			catch (IOException e) {
				log.warn("Audit spill file {} not closed cleanly: {}", spill, e.getMessage());
			}
			spillWriter = null;
		}
	}

}
