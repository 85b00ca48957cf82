package org.hemefhir.ingest;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hemefhir.ingest.hl7v2.MllpClient;

/**
 * Sustained validated ingest against the packaged server with a small heap: several
 * clients push blood counts as transaction bundles (conditional creates) and as HL7 v2
 * ORU^R01 over MLLP until {@code resources} are stored, while the heap after a full
 * collection ({@code jcmd GC.run}, then {@code GC.heap_info}) and the throughput are
 * recorded at intervals. For each heap sample the clients pause until no request is in
 * flight, so that the figure is what the server keeps between requests, not the bundles
 * it happens to be working on. Memory that a server keeps per request shows as a rising
 * heap; a store that slows as data grows shows as falling throughput. Not a test (it runs
 * for a quarter of an hour); the figures go to docs/benchmarks.md.
 *
 * <pre>./mvnw -B -DskipTests package test-compile
 * java -cp target/test-classes org.hemefhir.ingest.SoakBenchmark resources=200000</pre>
 *
 * Arguments (name=value): jar (target/hemefhir.jar), heap (1g), resources (200000),
 * fhir-clients (3), mllp-clients (1), patients (100), bundle (200 Observations), interval
 * (60 s), keep (false: the data directory is deleted afterwards).
 */

public final class SoakBenchmark {

	private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

	private static final String[][] COUNTS = { { "751-8", "10*9/L", "10^9/L" }, { "777-3", "10*9/L", "10^9/L" },
			{ "718-7", "g/L", "g/L" }, { "6690-2", "10*9/L", "10^9/L" } };

	private SoakBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		Path jar = Path.of(arg(args, "jar", "target/hemefhir.jar"));
		String heap = arg(args, "heap", "1g");
		long target = Long.parseLong(arg(args, "resources", "200000"));
		int fhirClients = Integer.parseInt(arg(args, "fhir-clients", "3"));
		int mllpClients = Integer.parseInt(arg(args, "mllp-clients", "1"));
		int patients = Integer.parseInt(arg(args, "patients", "100"));
		int bundleSize = Integer.parseInt(arg(args, "bundle", "200"));
		Duration interval = Duration.ofSeconds(Long.parseLong(arg(args, "interval", "60")));
		boolean keep = Boolean.parseBoolean(arg(args, "keep", "false"));

		Path dataDir = Files.createTempDirectory("hemefhir-soak");
		int httpPort = freePort();
		int mllpPort = freePort();
		Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx" + heap, "-jar", jar.toAbsolutePath().toString(), "--server.port=" + httpPort,
				"--server.address=127.0.0.1", "--hemefhir.data-dir=" + dataDir.resolve("db"),
				"--hemefhir.samples.load=false", "--hemefhir.hl7v2.mllp.port=" + mllpPort)
			.redirectErrorStream(true)
			.redirectOutput(dataDir.resolve("server.log").toFile())
			.start();
		String base = "http://127.0.0.1:" + httpPort;
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
		try {
			awaitHealthy(http, base, server);
			System.out.printf(Locale.ROOT,
					"Soak: %d resources, %d FHIR + %d MLLP clients, %d patients, bundles of %d, -Xmx%s, %d cores, %s%n",
					target, fhirClients, mllpClients, patients, bundleSize, heap,
					Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
			createPatients(http, base, patients);

			AtomicLong stored = new AtomicLong();
			AtomicBoolean done = new AtomicBoolean();
			Gate gate = new Gate();
			ExecutorService clients = Executors.newFixedThreadPool(fhirClients + mllpClients);
			List<Future<?>> workers = new ArrayList<>();
			for (int c = 0; c < fhirClients; c++) {
				int client = c;
				workers.add(clients.submit(() -> {
					for (long seq = 0; !done.get(); seq++) {
						String body = bundle(client, seq, bundleSize, patients);
						gate.enter();
						try {
							post(http, base + "/fhir", body);
						}
						finally {
							gate.leave();
						}
						if (stored.addAndGet(bundleSize) >= target) {
							done.set(true);
						}
					}
					return null;
				}));
			}
			for (int c = 0; c < mllpClients; c++) {
				int client = fhirClients + c;
				workers.add(clients.submit(() -> {
					try (MllpClient mllp = new MllpClient("127.0.0.1", mllpPort, Duration.ofSeconds(120))) {
						for (long seq = 0; !done.get(); seq++) {
							gate.enter();
							String ack;
							try {
								ack = mllp.send(message(client, seq, patients));
							}
							finally {
								gate.leave();
							}
							if (!ack.contains("MSA|AA|")) {
								throw new IllegalStateException("Not accepted: " + ack.replace('\r', '\n'));
							}
							if (stored.addAndGet(COUNTS.length) >= target) {
								done.set(true);
							}
						}
					}
					return null;
				}));
			}

			System.out.println(
					"| minute | resources stored | resources/s (interval) | heap after full GC (MB) | RSS (MB) | audit records queued |");
			System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: |");
			Instant start = Instant.now();
			long lastCount = 0;
			Instant last = start;
			List<double[]> samples = new ArrayList<>();
			while (!done.get()) {
				waitFor(interval, done, workers);
				long count = stored.get();
				Instant now = Instant.now();
				double rate = (count - lastCount) / Math.max(0.001, Duration.between(last, now).toMillis() / 1000.0);
				gate.close();
				double heapMb = heapAfterFullGc(server.pid());
				double rssMb = rssMb(server.pid());
				// what the audit writer still holds in memory when the heap was measured
				long auditQueued = auditQueued(http, base);
				gate.open();
				now = Instant.now(); // the pause does not count against the next
										// interval's throughput
				double minute = Duration.between(start, now).toSeconds() / 60.0;
				samples.add(new double[] { count, rate, heapMb });
				System.out.printf(Locale.ROOT, "| %.1f | %d | %.0f | %.0f | %.0f | %d |%n", minute, count, rate, heapMb,
						rssMb, auditQueued);
				lastCount = count;
				last = now;
			}
			for (Future<?> worker : workers) {
				worker.get();
			}
			clients.shutdown();
			summarise(samples, stored.get(), Duration.between(start, Instant.now()));
		}
		finally {
			server.destroy();
			server.waitFor(30, TimeUnit.SECONDS);
			server.destroyForcibly();
			if (!keep) {
				deleteQuietly(dataDir);
			}
			else {
				System.out.println("Data and server log kept in " + dataDir);
			}
		}
	}

	/**
	 * Trend of the heap after GC over the run (least squares, after the first sample) and
	 * throughput early and late.
	 */
	private static void summarise(List<double[]> samples, long stored, Duration took) {
		System.out.printf(Locale.ROOT, "%d resources in %.1f min: %.0f resources/s overall%n", stored,
				took.toSeconds() / 60.0, stored / Math.max(1.0, took.toSeconds()));
		if (samples.size() < 3) {
			return;
		}
		List<double[]> steady = samples.subList(1, samples.size());
		double n = steady.size();
		double meanX = steady.stream().mapToDouble(s -> s[0]).sum() / n;
		double meanY = steady.stream().mapToDouble(s -> s[2]).sum() / n;
		double covariance = steady.stream().mapToDouble(s -> (s[0] - meanX) * (s[2] - meanY)).sum();
		double variance = steady.stream().mapToDouble(s -> (s[0] - meanX) * (s[0] - meanX)).sum();
		double slopePer100k = variance == 0 ? 0 : covariance / variance * 100_000;
		int quarter = Math.max(1, samples.size() / 4);
		double early = samples.subList(0, quarter).stream().mapToDouble(s -> s[1]).average().orElse(0);
		double late = samples.subList(samples.size() - quarter, samples.size())
			.stream()
			.mapToDouble(s -> s[1])
			.average()
			.orElse(0);
		double min = steady.stream().mapToDouble(s -> s[2]).min().orElse(0);
		double max = steady.stream().mapToDouble(s -> s[2]).max().orElse(0);
		System.out.printf(Locale.ROOT,
				"Heap after full GC: %.0f–%.0f MB after the first interval; trend %+.1f MB per 100,000 resources%n",
				min, max, slopePer100k);
		System.out.printf(Locale.ROOT, "Throughput: first quarter %.0f resources/s, last quarter %.0f resources/s%n",
				early, late);
	}

	private static String bundle(int client, long seq, int size, int patients) {
		StringBuilder entries = new StringBuilder();
		for (int i = 0; i < size; i++) {
			String[] count = COUNTS[i % COUNTS.length];
			String id = "c" + client + "-" + seq + "-" + i;
			int patient = (int) ((seq * size + i) % patients);
			long day = (seq * size + i) / patients;
			String value = count[0].equals("718-7") ? String.valueOf(80 + (i * 7 + seq) % 70) : count[0].equals("777-3")
					? String.valueOf(5 + (i * 13 + seq) % 300) : "%d.%d".formatted((i + seq) % 9, i % 10);
			entries.append(i == 0 ? "" : ",")
				.append("""
						{"resource":{"resourceType":"Observation","status":"final",
						  "identifier":[{"system":"urn:soak:obs","value":"%1$s"}],
						  "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
						  "code":{"coding":[{"system":"http://loinc.org","code":"%2$s"}]},
						  "subject":{"reference":"Patient?identifier=urn:soak:mrn|p%3$d"},
						  "effectiveDateTime":"%4$s",
						  "valueQuantity":{"value":%5$s,"unit":"%6$s","system":"http://unitsofmeasure.org","code":"%7$s"}},
						 "request":{"method":"POST","url":"Observation","ifNoneExist":"identifier=urn:soak:obs|%1$s"}}
						"""
					.formatted(id, count[0], patient, Instant.parse("2024-01-01T07:00:00Z").plus(Duration.ofHours(day)),
							value, count[2], count[1]));
		}
		return "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entries + "]}";
	}

	private static String message(int client, long seq, int patients) {
		String order = "SOAK-" + client + "-" + seq;
		String when = "2025%02d%02d%02d00".formatted(1 + seq % 12, 1 + seq % 28, seq % 24);
		return String.join("\r",
				"MSH|^~\\&|SOAK|SOAK-LAB|HEMEFHIR|SOAK|" + when + "||ORU^R01^ORU_R01|" + order + "|P|2.5.1",
				"PID|1||p" + seq % patients + "^^^&urn:soak:mrn&URI^MR||||1970|F",
				"OBR|1||" + order + "^SOAK-LAB|58410-2^CBC panel^LN|||" + when,
				"OBX|1|NM|751-8^Neutrophils^LN||" + (1 + seq % 5) + ".2|10\\S\\9/L|||||F|||" + when,
				"OBX|2|NM|777-3^Platelets^LN||" + (20 + seq % 200) + "|10\\S\\9/L|||||F|||" + when,
				"OBX|3|NM|718-7^Hemoglobin^LN||" + (8 + seq % 5) + ".1|g/dL|||||F|||" + when,
				"OBX|4|NM|6690-2^Leukocytes^LN||" + (2 + seq % 7) + ".4|10\\S\\9/L|||||F|||" + when);
	}

	private static void createPatients(HttpClient http, String base, int patients) throws Exception {
		StringBuilder entries = new StringBuilder();
		for (int p = 0; p < patients; p++) {
			entries.append(p == 0 ? "" : ",")
				.append("""
						{"resource":{"resourceType":"Patient","identifier":[{"system":"urn:soak:mrn","value":"p%1$d"}],"gender":"female","birthDate":"1964"},
						 "request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=urn:soak:mrn|p%1$d"}}"""
					.formatted(p));
		}
		post(http, base + "/fhir",
				"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entries + "]}");
	}

	/**
	 * Posts; waits and sends again when the server says it is busy (503 with
	 * Retry-After).
	 */
	private static void post(HttpClient http, String url, String body) throws Exception {
		for (int attempt = 0;; attempt++) {
			HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
				.header("Content-Type", "application/fhir+json")
				.header("Prefer", "return=minimal")
				.timeout(Duration.ofMinutes(2))
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.build(), HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() < 300) {
				return;
			}
			if (response.statusCode() != 503 || attempt > 20) {
				throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
			}
			Thread.sleep(1000L * Long.parseLong(response.headers().firstValue("Retry-After").orElse("1")));
		}
	}

	private static double heapAfterFullGc(long pid) throws Exception {
		jcmd(pid, "GC.run");
		Matcher used = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
		return used.find() ? Long.parseLong(used.group(1)) / 1024.0 : -1;
	}

	private static double rssMb(long pid) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
			if (line.startsWith("VmRSS:")) {
				return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
			}
		}
		return -1;
	}

	private static String jcmd(long pid, String command) throws Exception {
		Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
				String.valueOf(pid), command)
			.redirectErrorStream(true)
			.start();
		String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		jcmd.waitFor(60, TimeUnit.SECONDS);
		return out;
	}

	private static void waitFor(Duration interval, AtomicBoolean done, List<Future<?>> workers) throws Exception {
		long until = System.nanoTime() + interval.toNanos();
		while (!done.get() && System.nanoTime() < until) {
			for (Future<?> worker : workers) {
				if (worker.isDone()) {
					worker.get(); // a failed client ends the run with its error
				}
			}
			Thread.sleep(200);
		}
	}

	private static final Pattern AUDIT_QUEUED = Pattern.compile("\"audit\".*?\"queued\":(\\d+)");

	/** The health endpoint's audit component: records waiting for the writer. */
	private static long auditQueued(HttpClient http, String base) throws Exception {
		String health = http
			.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health")).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
		Matcher queued = AUDIT_QUEUED.matcher(health);
		return queued.find() ? Long.parseLong(queued.group(1)) : -1;
	}

	private static void awaitHealthy(HttpClient http, String base, Process server) throws Exception {
		Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
		while (Instant.now().isBefore(deadline)) {
			if (!server.isAlive()) {
				throw new IllegalStateException("The server exited during startup");
			}
			try {
				if (http
					.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health")).build(),
							HttpResponse.BodyHandlers.discarding())
					.statusCode() == 200) {
					return;
				}
			}
			catch (IOException notYet) {
				// still starting
			}
			Thread.sleep(500);
		}
		throw new IllegalStateException("The server did not become healthy in 4 minutes");
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static void deleteQuietly(Path dir) throws IOException {
		try (var paths = Files.walk(dir)) {
			paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
	}

	private static String arg(String[] args, String name, String fallback) {
		for (String a : args) {
			if (a.startsWith(name + "=")) {
				return a.substring(name.length() + 1);
			}
		}
		return fallback;
	}

	/** Lets the clients be held between requests while the heap is sampled. */
	private static final class Gate {

		private int inFlight;

		private boolean closed;

		synchronized void enter() throws InterruptedException {
			while (closed) {
				wait();
			}
			inFlight++;
		}

		synchronized void leave() {
			inFlight--;
			notifyAll();
		}

		/** Holds new requests and waits for those in flight to finish. */
		synchronized void close() throws InterruptedException {
			closed = true;
			while (inFlight > 0) {
				wait();
			}
		}

		synchronized void open() {
			closed = false;
			notifyAll();
		}

	}

}
