package bench.suite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.hemefhir.ingest.hl7v2.MllpClient;

/**
 * The benchmark suite of issue 15: generates a cohort, starts the packaged HemeFHIR
 * server, HemeFHIR with validation off and a stock HAPI JPA server as child JVMs on fresh
 * data directories under {@code out}, runs the phases against them, prints one table and
 * writes {@code out/results.json}. Run through Maven (docs/benchmarks.md, "Benchmark
 * suite"):
 *
 * <pre>./mvnw -B -Pbench verify -Dbench.patients=100</pre>
 *
 * Arguments (name=value): jar, out, basedir, sizes (patients loaded before each search
 * round, e.g. 100,1000,3000), clients (4), heap (1g), search-runs (30), validate-runs
 * (200), bundle-validate-runs (10), hl7v2-messages (400), phases (all; or a comma list of
 * hemefhir,baseline,stock,import,postgres), server-args (comma-separated options added to
 * every HemeFHIR server's command line), database, database-user, database-password (the
 * PostgreSQL of the postgres phase; 127.0.0.1:5432/test, postgres, none), nginx (its
 * binary, /usr/sbin/nginx).
 */
public final class BenchmarkSuite {

	private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

	private static final String AUTHORITY = "BENCH";

	/**
	 * HemeFHIR's first start installs the IG and loads the case; the stock server's has
	 * neither.
	 */
	private static final String EMPTY = "empty database (first start)";

	private static final List<String> BLOOD_COUNTS = List.of("751-8", "777-3", "718-7", "6690-2");

	private final Map<String, String> args;

	private final Path jar;

	private final Path out;

	private final Path basedir;

	private final List<Integer> sizes;

	private final int clients;

	private final String heap;

	private final int searchRuns;

	private final HttpClient http = HttpClient.newBuilder()
		.connectTimeout(Duration.ofSeconds(10))
		.version(HttpClient.Version.HTTP_1_1)
		.build();

	private final Figures figures = new Figures();

	private Cohort cohort;

	private List<Path> bundles;

	private Workload.FirstPatient first;

	private BenchmarkSuite(Map<String, String> args) {
		this.args = args;
		this.jar = Path.of(arg("jar", "target/hemefhir.jar")).toAbsolutePath();
		this.out = Path.of(arg("out", "target/bench")).toAbsolutePath();
		this.basedir = Path.of(arg("basedir", ".")).toAbsolutePath();
		this.sizes = Arrays.stream(arg("sizes", "100").split(","))
			.map(String::trim)
			.filter(s -> !s.isEmpty())
			.map(Integer::valueOf)
			.sorted()
			.distinct()
			.toList();
		this.clients = Integer.parseInt(arg("clients", "4"));
		this.heap = arg("heap", "1g");
		this.searchRuns = Integer.parseInt(arg("search-runs", "30"));
	}

	public static void main(String[] argv) throws Exception {
		Map<String, String> args = new LinkedHashMap<>();
		for (String word : argv) {
			// -Dbench.args="a=1 b=2" arrives as one argument
			for (String a : word.trim().split("\\s+")) {
				int eq = a.indexOf('=');
				if (eq > 0) {
					args.put(a.substring(0, eq), a.substring(eq + 1));
				}
			}
		}
		int status;
		try {
			status = new BenchmarkSuite(args).run();
		}
		finally {
			ChildServer.stopAll();
		}
		System.exit(status);
	}

	private String arg(String name, String fallback) {
		String value = args.get(name);
		return value == null || value.isBlank() ? fallback : value;
	}

	private boolean phase(String name) {
		String phases = arg("phases", "all");
		return "all".equals(phases) || Arrays.asList(phases.split(",")).contains(name);
	}

	static void log(String phase, String message) {
		System.out.println(
				"[" + LocalTime.now().truncatedTo(ChronoUnit.SECONDS).format(CLOCK) + "] " + phase + ": " + message);
		System.out.flush();
	}

	private int run() throws Exception {
		Instant started = Instant.now();
		Files.createDirectories(out);
		// an interrupted run (Ctrl-C) still leaves the figures it has
		Thread partial = new Thread(() -> {
			try {
				finish(started);
			}
			catch (IOException e) {
				log("suite", "results not written: " + e);
			}
		}, "bench-partial-results");
		Runtime.getRuntime().addShutdownHook(partial);
		int patients = sizes.get(sizes.size() - 1);
		log("suite", "%d patients (search rounds at %s), %d clients, -Xmx%s, jar %s".formatted(patients, sizes, clients,
				heap, jar));
		try {
			log("generate", "writing %d patients to %s".formatted(patients, out.resolve("cohort")));
			long t = System.nanoTime();
			cohort = Cohort.generate(jar, basedir, patients, out, m -> log("generate", m));
			bundles = cohort.bundleFiles();
			if (bundles.size() < patients) {
				throw new IllegalStateException("the cohort has " + bundles.size() + " bundles, not " + patients);
			}
			first = Workload.FirstPatient.of(bundles.get(0));
			log("generate",
					"%d bundles and %d NDJSON files in %.0f s (%s); first patient Patient/%s".formatted(bundles.size(),
							cohort.ndjsonFiles().size(), (System.nanoTime() - t) / 1e9, cohort.source, first.id()));
		}
		catch (Exception e) {
			log("generate", "FAILED: " + e);
			Runtime.getRuntime().removeShutdownHook(partial);
			finish(started);
			return 1;
		}
		if (phase("hemefhir")) {
			guarded("hemefhir", Figures.HEMEFHIR, this::hemefhir);
		}
		if (phase("baseline")) {
			guarded("baseline", Figures.VALIDATION_OFF, () -> baseline(Figures.VALIDATION_OFF));
		}
		if (phase("stock")) {
			guarded("baseline", Figures.STOCK, () -> baseline(Figures.STOCK));
		}
		if (phase("import")) {
			guarded("bulk load", Figures.HEMEFHIR, this::bulkImport);
		}
		if (phase("postgres")) {
			guarded("postgres", Figures.POSTGRES, () -> postgres(1));
			guarded("postgres", Figures.POSTGRES_TWO_NODES, () -> postgres(2));
		}
		Runtime.getRuntime().removeShutdownHook(partial);
		finish(started);
		return 0;
	}

	interface Phase {

		void run() throws Exception;

	}

	/** Runs a phase; its failure is reported and the next phase runs. */
	private void guarded(String name, String server, Phase phase) {
		try {
			phase.run();
		}
		catch (Exception e) {
			log(name, "FAILED: " + e);
			figures.missing(name, "phase failed", "", server, "failed: " + e);
		}
		finally {
			ChildServer.stopAll();
		}
	}

	private void finish(Instant started) throws IOException {
		Map<String, Object> run = new LinkedHashMap<>();
		run.put("date", started.toString());
		run.put("durationSeconds", Duration.between(started, Instant.now()).toSeconds());
		run.put("gitCommit", git("rev-parse", "HEAD"));
		run.put("gitDirty", !git("status", "--porcelain").isBlank());
		run.put("cores", Runtime.getRuntime().availableProcessors());
		run.put("ramMiB", memTotalMb());
		run.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
		run.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
		run.put("patients", sizes.get(sizes.size() - 1));
		run.put("sizes", sizes);
		run.put("clients", clients);
		run.put("jvmOptions", List.of("-Xmx" + heap));
		run.put("cohort", cohort == null ? "not generated" : cohort.source);
		Path results = out.resolve("results.json");
		figures.write(results, run);
		System.out.println();
		System.out.println(
				"Benchmark suite, " + run.get("date") + ", commit " + run.get("gitCommit") + ", " + run.get("cores")
						+ " cores, " + run.get("ramMiB") + " MiB, Java " + run.get("java") + ", " + run.get("cohort"));
		System.out.println(figures.table());
		log("suite", "results written to " + results);
	}

	private String git(String... command) {
		try {
			List<String> full = new ArrayList<>(List.of("git", "-C", basedir.toString()));
			full.addAll(List.of(command));
			Process git = new ProcessBuilder(full).redirectErrorStream(true).start();
			String text = new String(git.getInputStream().readAllBytes()).trim();
			git.waitFor(30, TimeUnit.SECONDS);
			return text;
		}
		catch (IOException | InterruptedException e) {
			return "unknown";
		}
	}

	private static long memTotalMb() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
				if (line.startsWith("MemTotal:")) {
					return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
				}
			}
		}
		catch (IOException | NumberFormatException e) {
			// not Linux
		}
		return -1;
	}

	// ---------------------------------------------------------------- servers

	private ChildServer startHemeFhir(String name, Path dir, boolean fresh, List<String> extra) throws Exception {
		if (fresh) {
			Cohort.deleteTree(dir);
		}
		int port = ChildServer.freePort();
		List<String> args = new ArrayList<>(List.of("--server.port=" + port, "--server.address=127.0.0.1",
				"--hemefhir.data-dir=" + dir.resolve("data")));
		args.addAll(extra);
		// e.g. server-args=--hemefhir.limits.request-timeout=120s on a busy machine
		String more = arg("server-args", "");
		if (!more.isBlank()) {
			args.addAll(List.of(more.split(",")));
		}
		return ChildServer.start(name, List.of("-Xmx" + heap), List.of("-jar", jar.toString()), args, port, dir);
	}

	private ChildServer startStock(Path dir) throws Exception {
		Cohort.deleteTree(dir);
		int port = ChildServer.freePort();
		return ChildServer.start(Figures.STOCK, List.of("-Xmx" + heap),
				List.of("-cp", System.getProperty("java.class.path"), "bench.stock.StockHapiServer"),
				List.of("--server.port=" + port, "--spring.config.name=stock-hapi",
						"--stock.data-dir=" + dir.resolve("data")),
				port, dir);
	}

	private void startup(ChildServer server, String server_, String label) throws Exception {
		log("startup", "starting " + server.name + " (" + label + ")");
		double seconds = server.awaitHealthy(http, Duration.ofMinutes(10));
		double rss = server.rssMb();
		figures.put("startup", "java to /actuator/health UP, " + label, "s", server_, seconds);
		figures.put("startup", "RSS at ready, " + label, "MiB", server_, rss);
		log("startup", "%s ready in %.1f s, RSS %.0f MiB".formatted(server.name, seconds, rss));
	}

	// ---------------------------------------------------------------- HemeFHIR,
	// validation enforced

	private void hemefhir() throws Exception {
		Path dir = out.resolve("hemefhir");
		int mllpPort = ChildServer.freePort();
		List<String> extra = new ArrayList<>(List.of("--hemefhir.hl7v2.mllp.port=" + mllpPort));
		if (first.identifierSystem() != null) {
			extra.add("--hemefhir.hl7v2.assigning-authorities." + AUTHORITY + "=" + first.identifierSystem());
		}
		try (ChildServer server = startHemeFhir("hemefhir", dir, true, extra)) {
			startup(server, Figures.HEMEFHIR, EMPTY);
			loadAndSearch(server, Figures.HEMEFHIR, false);
			memoryAfterLoad(server, Figures.HEMEFHIR);
			guardedStep("ingest", () -> hl7v2(server, mllpPort));
			guardedStep("validation", () -> validation(server));
			guardedStep("export", () -> export(server, false));
			guardedStep("export", () -> export(server, true));
		}
		try (ChildServer server = startHemeFhir("hemefhir", dir, false, extra)) {
			startup(server, Figures.HEMEFHIR, "loaded database");
		}
	}

	private void guardedStep(String phase, Phase step) {
		try {
			step.run();
		}
		catch (Exception e) {
			log(phase, "FAILED: " + e);
			figures.missing(phase, "step failed", "", Figures.HEMEFHIR, "failed: " + e);
		}
	}

	private void memoryAfterLoad(ChildServer server, String name) {
		double rss = server.rssMb();
		double heapMb = server.heapAfterFullGcMb();
		int patients = sizes.get(sizes.size() - 1);
		figures.put("startup", "RSS after loading " + patients + " patients", "MiB", name, rss);
		figures.put("startup", "heap after full GC after loading " + patients + " patients", "MiB", name, heapMb);
		log("startup",
				"%s after the load: RSS %.0f MiB, heap after full GC %.0f MiB".formatted(server.name, rss, heapMb));
	}

	private void baseline(String name) throws Exception {
		Path dir = out.resolve(name);
		ChildServer server = Figures.STOCK.equals(name) ? startStock(dir)
				: startHemeFhir(name, dir, true, List.of("--hemefhir.validation.mode=off"));
		try (server) {
			startup(server, name, EMPTY);
			if (Figures.STOCK.equals(name)) {
				installSearchParameters(server);
			}
			loadAndSearch(server, name, true);
			memoryAfterLoad(server, name);
		}
	}

	/**
	 * The IG's search parameters, so that the stock server answers the same queries (a
	 * user of stock HAPI would load them); nothing else of the IG.
	 */
	private void installSearchParameters(ChildServer server) throws Exception {
		Path dir = basedir.resolve("fhir-profiles/search-parameters");
		int count = 0;
		try (var files = Files.list(dir)) {
			for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
				JsonNode parameter = Cohort.JSON.readTree(file.toFile());
				HttpResponse<String> response = Workload.put(http,
						server.base + "/fhir/SearchParameter/" + parameter.path("id").asText(),
						Cohort.JSON.writeValueAsString(parameter));
				if (response.statusCode() / 100 != 2) {
					log("baseline", "SearchParameter " + file.getFileName() + " refused: " + Workload.brief(response));
				}
				else {
					count++;
				}
			}
		}
		log("baseline", "stock server: " + count + " IG search parameters installed");
		Thread.sleep(2000); // the registry refreshes
	}

	// ---------------------------------------------------------------- PostgreSQL

	/**
	 * The ingest and search of the HemeFHIR phase on PostgreSQL, validation enforced: one
	 * node, or several behind nginx configured as in {@code compose.yaml}. Each in a
	 * fresh schema of the {@code database}.
	 */
	private void postgres(int nodes) throws Exception {
		String name = nodes == 1 ? Figures.POSTGRES : Figures.POSTGRES_TWO_NODES;
		String database = arg("database", "jdbc:postgresql://127.0.0.1:5432/test");
		String user = arg("database-user", "postgres");
		String password = arg("database-password", "");
		String schema = "hemefhir_bench_" + nodes;
		try (Connection connection = DriverManager.getConnection(database, user, password);
				Statement statement = connection.createStatement()) {
			statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
			statement.execute("CREATE SCHEMA " + schema);
		}
		String url = database + (database.contains("?") ? "&" : "?") + "currentSchema=" + schema;
		List<String> extra = List.of("--spring.profiles.active=postgres", "--spring.datasource.url=" + url,
				"--spring.datasource.username=" + user, "--spring.datasource.password=" + password);
		List<ChildServer> started = new ArrayList<>();
		try {
			for (int n = 1; n <= nodes; n++) {
				ChildServer node = startHemeFhir(name + "-" + n, out.resolve(name).resolve("node-" + n), true, extra);
				started.add(node);
				startup(node, name, n == 1 ? EMPTY : "a further node on the migrated database");
			}
			ChildServer front = nodes == 1 ? started.get(0) : loadBalancer(name, started);
			loadAndSearch(front, name, false);
			memoryAfterLoad(started.get(0), name);
		}
		finally {
			ChildServer.stopAll();
		}
	}

	/**
	 * nginx with the configuration of {@code compose.yaml}, its upstream servers pointed
	 * at the nodes.
	 */
	private ChildServer loadBalancer(String name, List<ChildServer> nodes) throws Exception {
		Path nginx = Path.of(arg("nginx", "/usr/sbin/nginx"));
		if (!Files.isExecutable(nginx)) {
			throw new IllegalStateException("no nginx at " + nginx + " (apt-get install nginx-light, or nginx=PATH)");
		}
		String compose = Files.readString(basedir.resolve("compose.yaml"));
		String content = compose.substring(compose.indexOf("      events {}"), compose.indexOf("\nvolumes:"));
		StringBuilder conf = new StringBuilder();
		for (String line : content.split("\n")) {
			conf.append(line.length() >= 6 ? line.substring(6) : line.strip()).append('\n');
		}
		String config = conf.toString().replace("$$", "$");
		int port = ChildServer.freePort();
		config = config.replace("listen 8080;", "listen 127.0.0.1:" + port + ";");
		for (int n = 0; n < nodes.size(); n++) {
			config = config.replace("server node" + (n + 1) + ":8080", "server 127.0.0.1:" + nodes.get(n).port);
		}
		if (config.contains("server node")) {
			throw new IllegalStateException("compose.yaml names more nodes than were started: " + config);
		}
		Path dir = out.resolve(name).resolve("nginx");
		Files.createDirectories(dir);
		Path file = dir.resolve("nginx.conf");
		Files.writeString(file, config);
		ChildServer front = ChildServer.startCommand(name + "-nginx",
				List.of(nginx.toString(), "-p", dir.toString(), "-e", dir.resolve("error.log").toString(), "-c",
						file.toString(), "-g", "daemon off; pid " + dir.resolve("nginx.pid") + ";"),
				port, dir);
		front.awaitHealthy(http, Duration.ofSeconds(30));
		log("postgres", "nginx on port " + port + " in front of " + nodes.size() + " nodes (" + file + ")");
		return front;
	}

	// ---------------------------------------------------------------- ingest and search

	private void loadAndSearch(ChildServer server, String name, boolean stripProfiles) throws Exception {
		int loaded = 0;
		for (int s = 0; s < sizes.size(); s++) {
			int size = sizes.get(s);
			if (s == 0) {
				int split = Math.max(1, size / 2);
				ingest(server, name, stripProfiles, 0, split, 1, "transaction bundles, 1 client");
				if (split < size) {
					ingest(server, name, stripProfiles, split, size, clients,
							"transaction bundles, " + clients + " clients");
				}
			}
			else {
				ingest(server, name, stripProfiles, loaded, size, clients,
						"transaction bundles, " + clients + " clients, patients " + (loaded + 1) + "–" + size);
			}
			loaded = size;
			search(server, name, size);
		}
	}

	private void ingest(ChildServer server, String name, boolean stripProfiles, int from, int to, int threads,
			String measure) throws Exception {
		log("ingest", "%s: patients %d–%d, %d client(s)%s".formatted(server.name, from + 1, to, threads,
				stripProfiles ? ", meta.profile stripped" : ""));
		ConcurrentLinkedQueue<Path> queue = new ConcurrentLinkedQueue<>(bundles.subList(from, to));
		AtomicLong stored = new AtomicLong();
		AtomicInteger refused = new AtomicInteger();
		AtomicInteger retried = new AtomicInteger();
		AtomicReference<String> firstError = new AtomicReference<>();
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		long start = System.nanoTime();
		List<Future<?>> workers = new ArrayList<>();
		for (int c = 0; c < threads; c++) {
			workers.add(pool.submit(() -> {
				for (Path file = queue.poll(); file != null; file = queue.poll()) {
					String body = Files.readString(file);
					int entries = Cohort.JSON.readTree(body).path("entry").size();
					if (stripProfiles) {
						body = Cohort.withoutProfiles(body);
					}
					HttpResponse<String> response = Workload.post(http, server.base + "/fhir", body);
					// a 503 (busy, or the time budget ran out: nothing was written) is
					// retried
					// twice, as a client would; the time spent counts against the rate
					for (int retry = 0; retry < 2 && response.statusCode() == 503; retry++) {
						retried.incrementAndGet();
						Thread.sleep(1000);
						response = Workload.post(http, server.base + "/fhir", body);
					}
					if (response.statusCode() == 200) {
						stored.addAndGet(entries);
					}
					else {
						refused.incrementAndGet();
						if (firstError.compareAndSet(null, file.getFileName() + " " + Workload.brief(response))) {
							log("ingest", "refused: " + firstError.get());
						}
					}
				}
				return null;
			}));
		}
		for (Future<?> worker : workers) {
			worker.get();
		}
		pool.shutdown();
		double seconds = (System.nanoTime() - start) / 1e9;
		double rate = stored.get() / seconds;
		figures.put("ingest", measure, "resources/s", name, rate);
		if (refused.get() > 0) {
			figures.put("ingest", measure + ": bundles refused", "bundles", name, refused.get());
		}
		if (retried.get() > 0) {
			figures.put("ingest", measure + ": bundles retried after a 503", "retries", name, retried.get());
		}
		log("ingest", "%s: %d resources in %.1f s = %.0f resources/s, %d bundles refused, %d retries after a 503"
			.formatted(server.name, stored.get(), seconds, rate, refused.get(), retried.get()));
	}

	private void search(ChildServer server, String name, int size) throws Exception {
		log("search",
				"%s at %d patients: %d runs per query after 3 warm-up runs".formatted(server.name, size, searchRuns));
		String base = server.base + "/fhir";
		for (Workload.NamedQuery query : Workload.queries(first)) {
			String label = query.name() + ", " + size + " patients";
			int results;
			try {
				results = query.query().run(http, base);
				for (int i = 0; i < 2; i++) {
					query.query().run(http, base);
				}
			}
			catch (Workload.Refused refused) {
				figures.missing("search", label + ", p50", "ms", name, refused.getMessage());
				figures.missing("search", label + ", p95", "ms", name, refused.getMessage());
				log("search", "%s: %s: %s".formatted(server.name, query.name(), refused.getMessage()));
				continue;
			}
			List<Double> millis = new ArrayList<>();
			for (int i = 0; i < searchRuns; i++) {
				long t = System.nanoTime();
				query.query().run(http, base);
				millis.add((System.nanoTime() - t) / 1e6);
			}
			double p50 = Workload.percentile(millis, 50);
			double p95 = Workload.percentile(millis, 95);
			figures.put("search", label + ", p50", "ms", name, p50);
			figures.put("search", label + ", p95", "ms", name, p95);
			log("search", "%s: %s: %d results, p50 %.1f ms, p95 %.1f ms".formatted(server.name, query.name(), results,
					p50, p95));
		}
	}

	// ---------------------------------------------------------------- HL7 v2 over MLLP

	private void hl7v2(ChildServer server, int mllpPort) throws Exception {
		int limit = Integer.parseInt(arg("hl7v2-messages", "400"));
		List<String> messages = new ArrayList<>();
		List<Integer> resultsPer = new ArrayList<>();
		for (Path file : bundles) {
			if (messages.size() >= limit) {
				break;
			}
			v2Messages(Cohort.JSON.readTree(file.toFile()), messages, resultsPer, limit);
		}
		if (messages.isEmpty()) {
			figures.missing("ingest", "HL7 v2 ORU^R01 over MLLP, 4 connections", "results/s", Figures.HEMEFHIR,
					"no blood counts in the cohort");
			return;
		}
		log("ingest", "HL7 v2: %d ORU^R01 messages (%d results) over MLLP, 4 connections".formatted(messages.size(),
				resultsPer.stream().mapToInt(Integer::intValue).sum()));
		AtomicInteger next = new AtomicInteger();
		AtomicLong accepted = new AtomicLong();
		AtomicInteger refused = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(4);
		List<Future<?>> workers = new ArrayList<>();
		long start = System.nanoTime();
		for (int c = 0; c < 4; c++) {
			workers.add(pool.submit(() -> {
				try (MllpClient mllp = new MllpClient("127.0.0.1", mllpPort, Duration.ofMinutes(2))) {
					for (int i = next.getAndIncrement(); i < messages.size(); i = next.getAndIncrement()) {
						String ack = mllp.send(messages.get(i));
						if (ack.contains("MSA|AA|")) {
							accepted.addAndGet(resultsPer.get(i));
						}
						else if (refused.incrementAndGet() == 1) {
							log("ingest", "HL7 v2 message not accepted: " + ack.replace('\r', ' '));
						}
					}
				}
				return null;
			}));
		}
		for (Future<?> worker : workers) {
			worker.get();
		}
		pool.shutdown();
		double seconds = (System.nanoTime() - start) / 1e9;
		figures.put("ingest", "HL7 v2 ORU^R01 over MLLP, 4 connections", "results/s", Figures.HEMEFHIR,
				accepted.get() / seconds);
		if (refused.get() > 0) {
			figures.put("ingest", "HL7 v2 messages not accepted (AE/AR)", "messages", Figures.HEMEFHIR, refused.get());
		}
		log("ingest", "HL7 v2: %d results accepted in %.1f s = %.0f results/s; %d messages not accepted"
			.formatted(accepted.get(), seconds, accepted.get() / seconds, refused.get()));
	}

	/**
	 * One ORU^R01 per patient and day of blood counts: PID-3 the patient's identifier
	 * with the assigning authority {@code BENCH} (mapped to the identifier's system at
	 * start), one OBX per count. New order numbers, so each message stores new results.
	 */
	private void v2Messages(JsonNode bundle, List<String> messages, List<Integer> resultsPer, int limit) {
		String mrn = null;
		String system = null;
		Map<String, List<String>> byDay = new LinkedHashMap<>();
		for (JsonNode entry : bundle.path("entry")) {
			JsonNode r = entry.path("resource");
			String type = r.path("resourceType").asText();
			if ("Patient".equals(type)) {
				mrn = r.path("identifier").path(0).path("value").asText(null);
				system = r.path("identifier").path(0).path("system").asText(null);
			}
			if (!"Observation".equals(type) || !r.path("valueQuantity").has("value")) {
				continue;
			}
			String loinc = null;
			for (JsonNode coding : r.path("code").path("coding")) {
				if (Workload.LOINC.equals(coding.path("system").asText())
						&& BLOOD_COUNTS.contains(coding.path("code").asText())) {
					loinc = coding.path("code").asText();
				}
			}
			String when = r.path("effectiveDateTime").asText("");
			if (loinc == null || when.length() < 10) {
				continue;
			}
			String v2Time = when.replaceAll("[^0-9]", "");
			v2Time = v2Time.substring(0, Math.min(v2Time.length(), 12));
			String unit = r.path("valueQuantity").path("code").asText("").replace("10*9", "10\\S\\9");
			String obx = "OBX|%d|NM|" + loinc + "^^LN||" + r.path("valueQuantity").path("value").asText() + "|" + unit
					+ "|||||F|||" + v2Time;
			byDay.computeIfAbsent(when.substring(0, 10), d -> new ArrayList<>()).add(obx);
		}
		if (mrn == null || system == null || !system.equals(first.identifierSystem())) {
			return;
		}
		for (Map.Entry<String, List<String>> day : byDay.entrySet()) {
			if (messages.size() >= limit) {
				return;
			}
			String order = "BENCH-" + messages.size();
			String when = day.getKey().replace("-", "") + "0800";
			List<String> segments = new ArrayList<>();
			segments
				.add("MSH|^~\\&|BENCH|BENCH-LAB|HEMEFHIR|BENCH|" + when + "||ORU^R01^ORU_R01|" + order + "|P|2.5.1");
			segments.add("PID|1||" + mrn + "^^^" + AUTHORITY + "^MR");
			segments.add("OBR|1||" + order + "^BENCH-LAB|58410-2^CBC panel^LN|||" + when);
			for (int i = 0; i < day.getValue().size(); i++) {
				segments.add(day.getValue().get(i).formatted(i + 1));
			}
			messages.add(String.join("\r", segments));
			resultsPer.add(day.getValue().size());
		}
	}

	// ---------------------------------------------------------------- validation

	private void validation(ChildServer server) throws Exception {
		JsonNode bloodCount = null;
		ArrayNode entries = Cohort.JSON.createArrayNode();
		for (Path file : bundles) {
			for (JsonNode entry : Cohort.JSON.readTree(file.toFile()).path("entry")) {
				JsonNode r = entry.path("resource");
				if (bloodCount == null && "Observation".equals(r.path("resourceType").asText())
						&& r.path("code").toString().contains("\"751-8\"")) {
					bloodCount = r;
				}
				if (entries.size() < 300) {
					ObjectNode copy = entry.deepCopy();
					if (!copy.hasNonNull("fullUrl")) {
						// relative references inside a bundle resolve against the
						// entries' full
						// URLs; a PUT entry's is the server's base and its Type/id
						copy.put("fullUrl", server.base + "/fhir/" + copy.path("request").path("url").asText());
					}
					entries.add(copy);
				}
			}
			if (bloodCount != null && entries.size() >= 300) {
				break;
			}
		}
		if (bloodCount == null) {
			figures.missing("validation", "$validate of one blood count, p50", "ms", Figures.HEMEFHIR,
					"no ANC Observation in the cohort");
		}
		else {
			String body = Cohort.JSON.writeValueAsString(bloodCount);
			timeValidate(server.base + "/fhir/Observation/$validate", body, 20,
					Integer.parseInt(arg("validate-runs", "200")), "$validate of one blood count");
		}
		ObjectNode bundle = Cohort.JSON.createObjectNode().put("resourceType", "Bundle").put("type", "transaction");
		bundle.set("entry", entries);
		timeValidate(server.base + "/fhir/Bundle/$validate", Cohort.JSON.writeValueAsString(bundle), 2,
				Integer.parseInt(arg("bundle-validate-runs", "10")),
				"$validate of a " + entries.size() + "-resource transaction bundle");
	}

	private void timeValidate(String url, String body, int warmUp, int runs, String measure) throws Exception {
		log("validation", "%s: %d warm-up calls, %d timed".formatted(measure, warmUp, runs));
		HttpResponse<String> firstResponse = Workload.post(http, url, body);
		JsonNode outcome = Cohort.JSON.readTree(firstResponse.body());
		long errors = 0;
		for (JsonNode issue : outcome.path("issue")) {
			if ("error".equals(issue.path("severity").asText()) || "fatal".equals(issue.path("severity").asText())) {
				errors++;
			}
		}
		log("validation", "first answer HTTP %d, %d error issues".formatted(firstResponse.statusCode(), errors));
		for (int i = 1; i < warmUp; i++) {
			Workload.post(http, url, body);
		}
		List<Double> millis = new ArrayList<>();
		for (int i = 0; i < runs; i++) {
			long t = System.nanoTime();
			Workload.post(http, url, body);
			millis.add((System.nanoTime() - t) / 1e6);
		}
		double p50 = Workload.percentile(millis, 50);
		double p95 = Workload.percentile(millis, 95);
		figures.put("validation", measure + ", p50", "ms", Figures.HEMEFHIR, p50);
		figures.put("validation", measure + ", p95", "ms", Figures.HEMEFHIR, p95);
		if (errors > 0) {
			figures.put("validation", measure + ": error issues in the answer", "issues", Figures.HEMEFHIR, errors);
		}
		log("validation", "%s: p50 %.1f ms, p95 %.1f ms".formatted(measure, p50, p95));
	}

	// ---------------------------------------------------------------- export

	private void export(ChildServer server, boolean deidentified) throws Exception {
		String label = deidentified ? "system $export, de-identified" : "system $export";
		String url = server.base + "/fhir/$export" + (deidentified ? "?_deidentify=true" : "");
		log("export", label + ": kick-off");
		long start = System.nanoTime();
		HttpResponse<String> kickOff = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
			.header("Accept", "application/fhir+json")
			.header("Prefer", "respond-async")
			.GET()
			.build(), HttpResponse.BodyHandlers.ofString());
		String poll = kickOff.headers().firstValue("Content-Location").orElse(null);
		if (kickOff.statusCode() != 202 || poll == null) {
			figures.missing("export", label, "resources/s", Figures.HEMEFHIR, "kick-off " + Workload.brief(kickOff));
			return;
		}
		JsonNode manifest = pollUntilDone(poll, Duration.ofHours(2), "export");
		long resources = 0;
		int files = 0;
		for (JsonNode output : manifest.path("output")) {
			HttpResponse<java.util.stream.Stream<String>> file = http
				.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(output.path("url").asText()))
					.header("Accept", "application/fhir+ndjson")
					.GET()
					.build(), HttpResponse.BodyHandlers.ofLines());
			if (file.statusCode() != 200) {
				throw new IOException("export file " + output.path("url").asText() + ": HTTP " + file.statusCode());
			}
			resources += file.body().filter(line -> !line.isBlank()).count();
			files++;
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		figures.put("export", label, "resources/s", Figures.HEMEFHIR, resources / seconds);
		figures.put("export", label + ": resources", "resources", Figures.HEMEFHIR, resources);
		log("export", "%s: %d resources in %d files in %.1f s (kick-off to last file) = %.0f resources/s"
			.formatted(label, resources, files, seconds, resources / seconds));
	}

	/** Polls a Bulk Data status URL until 200; its JSON body. */
	private JsonNode pollUntilDone(String poll, Duration timeout, String phase) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		int polls = 0;
		while (System.nanoTime() < deadline) {
			HttpResponse<String> status = Workload.get(http, poll, "application/fhir+json");
			if (status.statusCode() == 200) {
				return status.body() == null || status.body().isBlank() ? Cohort.JSON.createObjectNode()
						: Cohort.JSON.readTree(status.body());
			}
			if (status.statusCode() == 422) {
				// $import: the job ended, some resources were refused (the issues name
				// them)
				log(phase, "finished with refused resources: " + Workload.brief(status));
				return Cohort.JSON.readTree(status.body());
			}
			if (status.statusCode() != 202) {
				throw new IOException("poll " + Workload.brief(status));
			}
			if (++polls % 30 == 0) {
				log(phase, "still running: " + status.headers().firstValue("X-Progress").orElse(""));
			}
			Thread.sleep(500);
		}
		throw new IOException("not finished within " + timeout);
	}

	// ---------------------------------------------------------------- bulk load
	// ($import)

	private void bulkImport() throws Exception {
		String measure = "$import of the NDJSON cohort (" + sizes.get(sizes.size() - 1) + " patients)";
		List<Path> files = cohort.ndjsonFiles();
		long lines = 0;
		for (Path file : files) {
			try (var stream = Files.lines(file)) {
				lines += stream.filter(line -> !line.isBlank()).count();
			}
		}
		HttpServer files_ = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		files_.createContext("/", exchange -> {
			Path file = cohort.ndjson.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
			if (!file.startsWith(cohort.ndjson) || !Files.isRegularFile(file)) {
				exchange.sendResponseHeaders(404, -1);
				exchange.close();
				return;
			}
			exchange.getResponseHeaders().add("Content-Type", "application/fhir+ndjson");
			exchange.sendResponseHeaders(200, Files.size(file));
			try (OutputStream body = exchange.getResponseBody()) {
				Files.copy(file, body);
			}
		});
		files_.setExecutor(Executors.newFixedThreadPool(4));
		files_.start();
		String prefix = "http://127.0.0.1:" + files_.getAddress().getPort() + "/";
		try (ChildServer server = startHemeFhir("hemefhir-import", out.resolve("hemefhir-import"), true,
				List.of("--hemefhir.bulk-import.allowed-url-prefixes=" + prefix))) {
			server.awaitHealthy(http, Duration.ofMinutes(10));
			ObjectNode parameters = Cohort.JSON.createObjectNode().put("resourceType", "Parameters");
			ArrayNode list = parameters.putArray("parameter");
			list.addObject().put("name", "inputFormat").put("valueCode", "application/fhir+ndjson");
			list.addObject().put("name", "inputSource").put("valueUri", prefix);
			for (Path file : files) {
				ObjectNode input = list.addObject().put("name", "input");
				ArrayNode part = input.putArray("part");
				part.addObject().put("name", "type").put("valueCode", Cohort.ndjsonType(file));
				part.addObject().put("name", "url").put("valueUri", prefix + file.getFileName());
			}
			log("bulk load", "%s: %d files, %d resources from %s".formatted(measure, files.size(), lines, prefix));
			long start = System.nanoTime();
			HttpResponse<String> kickOff = Workload.post(http, server.base + "/fhir/$import",
					Cohort.JSON.writeValueAsString(parameters), "Prefer", "respond-async");
			String poll = kickOff.headers().firstValue("Content-Location").orElse(null);
			if (kickOff.statusCode() != 202 || poll == null) {
				String reason = "not available: kick-off answered " + Workload.brief(kickOff);
				figures.missing("bulk load", measure, "resources/s", Figures.HEMEFHIR, reason);
				log("bulk load", reason);
				return;
			}
			pollUntilDone(poll, Duration.ofHours(4), "bulk load");
			double seconds = (System.nanoTime() - start) / 1e9;
			long stored = 0;
			for (Path file : files) {
				JsonNode count = Workload.json(Workload.get(http,
						server.base + "/fhir/" + Cohort.ndjsonType(file) + "?_summary=count", "application/fhir+json"));
				stored += count.path("total").asLong();
			}
			figures.put("bulk load", measure, "resources/s", Figures.HEMEFHIR, lines / seconds);
			figures.put("bulk load", measure + ": resources stored after the job", "resources", Figures.HEMEFHIR,
					stored);
			log("bulk load",
					"%d resources in %.1f s (kick-off to done) = %.0f resources/s; %d stored of the types imported (case included)"
						.formatted(lines, seconds, lines / seconds, stored));
		}
		finally {
			files_.stop(0);
			((ExecutorService) files_.getExecutor()).shutdownNow();
		}
	}

	static String format(double value) {
		return String.format(Locale.ROOT, "%.1f", value);
	}

}
