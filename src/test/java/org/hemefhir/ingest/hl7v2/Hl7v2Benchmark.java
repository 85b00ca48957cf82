package org.hemefhir.ingest.hl7v2;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pushes a stream of ORU^R01 messages (one OBR with ANC, platelets and hemoglobin each)
 * to a running server, over HTTP and, when a port is given, over MLLP, and prints
 * messages/s, results/s and p50/p95 latency. Not a test; uses only the JDK, so it runs
 * from target/classes:
 *
 * <pre>java -cp target/classes org.hemefhir.ingest.hl7v2.Hl7v2Benchmark \
 *     [base-url=http://127.0.0.1:8080] [messages=400] [clients=4] [mllp-port=0]</pre>
 *
 * Every run creates its own patient ({@code urn:hemefhir:bench|<uuid>}) and unique filler
 * orders.
 */
public final class Hl7v2Benchmark {

	private static final int RESULTS_PER_MESSAGE = 3;

	private static final int WARM_UP = 30;

	private Hl7v2Benchmark() {
	}

	public static void main(String[] args) throws Exception {
		String baseUrl = arg(args, "base-url", "http://127.0.0.1:8080");
		int messages = Integer.parseInt(arg(args, "messages", "400"));
		int clients = Integer.parseInt(arg(args, "clients", "4"));
		int mllpPort = Integer.parseInt(arg(args, "mllp-port", "0"));
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

		String run = UUID.randomUUID().toString().substring(0, 8);
		String mrn = "bench-" + run;
		HttpResponse<String> patient = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/fhir/Patient"))
			.header("Content-Type", "application/fhir+json")
			.POST(HttpRequest.BodyPublishers.ofString("""
					{"resourceType":"Patient","identifier":[{"system":"urn:hemefhir:bench","value":"%s"}],
					 "gender":"female","birthDate":"1970"}""".formatted(mrn)))
			.build(), HttpResponse.BodyHandlers.ofString());
		if (patient.statusCode() != 201) {
			throw new IllegalStateException(
					"Could not create the benchmark patient: " + patient.statusCode() + " " + patient.body());
		}
		System.out.printf(Locale.ROOT, "HL7 v2 benchmark: %d messages x %d results, %d clients, %d cores, against %s%n",
				messages, RESULTS_PER_MESSAGE, clients, Runtime.getRuntime().availableProcessors(), baseUrl);

		Sender overHttp = message -> {
			HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/hl7v2"))
				.header("Content-Type", "application/hl7-v2")
				.POST(HttpRequest.BodyPublishers.ofString(message))
				.build(), HttpResponse.BodyHandlers.ofString());
			return response.body();
		};
		measure("HTTP POST /hl7v2", mrn, run + "h", messages, clients, () -> overHttp);
		if (mllpPort > 0) {
			String host = URI.create(baseUrl).getHost();
			measure("MLLP", mrn, run + "m", messages, clients,
					() -> new MllpClient(host, mllpPort, Duration.ofSeconds(60))::send);
		}
	}

	interface Sender {

		String send(String message) throws Exception;

	}

	interface SenderFactory {

		Sender open() throws IOException;

	}

	private static void measure(String label, String mrn, String run, int messages, int clients, SenderFactory senders)
			throws Exception {
		// Warm-up (JIT, validator per thread) on the same path, not counted.
		Sender warm = senders.open();
		for (int i = 0; i < WARM_UP; i++) {
			check(warm.send(message(mrn, run + "w", i)));
		}
		List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
		AtomicInteger next = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		long start = System.nanoTime();
		List<Future<?>> workers = new ArrayList<>();
		for (int c = 0; c < clients; c++) {
			workers.add(pool.submit(() -> {
				Sender sender = senders.open();
				for (int i = next.getAndIncrement(); i < messages; i = next.getAndIncrement()) {
					long t0 = System.nanoTime();
					check(sender.send(message(mrn, run, i)));
					latencies.add(System.nanoTime() - t0);
				}
				return null;
			}));
		}
		for (Future<?> worker : workers) {
			worker.get();
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		pool.shutdown();
		List<Long> sorted = new ArrayList<>(latencies);
		Collections.sort(sorted);
		System.out.printf(Locale.ROOT,
				"%-18s %6.1f messages/s  %6.1f results/s  p50 %5.1f ms  p95 %5.1f ms  (%d messages in %.1f s)%n", label,
				messages / seconds, messages * RESULTS_PER_MESSAGE / seconds, percentile(sorted, 0.50),
				percentile(sorted, 0.95), messages, seconds);
	}

	private static void check(String ack) {
		if (!ack.contains("MSA|AA|")) {
			throw new IllegalStateException("Message not accepted: " + ack.replace('\r', '\n'));
		}
	}

	private static double percentile(List<Long> sorted, double p) {
		return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1)) / 1e6;
	}

	static String message(String mrn, String run, int n) {
		String order = "BENCH-" + run + "-" + n;
		String day = "202501%02d".formatted(1 + n % 28);
		return String.join("\r",
				"MSH|^~\\&|BENCH|BENCH-LAB|HEMEFHIR|BENCH|" + day + "080000||ORU^R01^ORU_R01|" + order + "|P|2.5.1",
				"PID|1||" + mrn + "^^^&urn:hemefhir:bench&URI^MR||||1970|F",
				"OBR|1||" + order + "^BENCH-LAB|58410-2^CBC panel^LN|||" + day + "0700",
				"OBX|1|NM|751-8^Neutrophils^LN||" + (1 + n % 5) + ".2|10\\S\\9/L|||||F|||" + day + "0700",
				"OBX|2|NM|777-3^Platelets^LN||" + (90 + n % 50) + "|10\\S\\9/L|||||F|||" + day + "0700",
				"OBX|3|NM|718-7^Hemoglobin^LN||" + (9 + n % 4) + ".1|g/dL|||||F|||" + day + "0700");
	}

	private static String arg(String[] args, String name, String fallback) {
		for (String a : args) {
			if (a.startsWith(name + "=")) {
				return a.substring(name.length() + 1);
			}
		}
		return fallback;
	}

}
