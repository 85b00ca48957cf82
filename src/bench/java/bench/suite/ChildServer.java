package bench.suite;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server the suite started as a child JVM on a data directory of its own. Every one
 * started is stopped by {@link #stopAll()}, which a shutdown hook also runs, so a failed
 * or interrupted run leaves no server behind.
 */
final class ChildServer implements AutoCloseable {

	private static final List<ChildServer> RUNNING = new CopyOnWriteArrayList<>();

	private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

	/**
	 * Set when the JVM shuts down: a phase still running then starts no further server.
	 */
	private static volatile boolean shuttingDown;

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			shuttingDown = true;
			stopAll();
		}, "bench-stop-servers"));
	}

	final String name;

	final int port;

	final String base;

	final Path log;

	private final Process process;

	private final long startNanos;

	private ChildServer(String name, int port, Process process, Path log, long startNanos) {
		this.name = name;
		this.port = port;
		this.base = "http://127.0.0.1:" + port;
		this.process = process;
		this.log = log;
		this.startNanos = startNanos;
	}

	/**
	 * Starts {@code java <jvmOptions> <main...> <args>} with its output in {@code
	 *
	<dir>
	 * /server-<n>.log}.
	 */
	static ChildServer start(String name, List<String> jvmOptions, List<String> main, List<String> args, int port,
			Path dir) throws IOException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		command.addAll(main);
		command.addAll(args);
		return startCommand(name, command, port, dir);
	}

	/**
	 * Starts any command that serves HTTP on the port (the load balancer in front of
	 * several servers), with its output in a log file in the directory.
	 */
	static ChildServer startCommand(String name, List<String> command, int port, Path dir) throws IOException {
		if (shuttingDown) {
			throw new IllegalStateException("the suite is stopping: " + name + " not started");
		}
		Files.createDirectories(dir);
		Path log = dir.resolve("server-" + System.currentTimeMillis() + ".log");
		long start = System.nanoTime();
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		ChildServer server = new ChildServer(name, port, process, log, start);
		RUNNING.add(server);
		if (shuttingDown) {
			// the shutdown hook may have run between the check above and the add
			server.close();
			throw new IllegalStateException("the suite is stopping: " + name + " stopped");
		}
		return server;
	}

	/** Seconds from the start of the JVM to {@code /actuator/health} UP. */
	double awaitHealthy(HttpClient http, Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		HttpRequest health = HttpRequest.newBuilder(URI.create(base + "/actuator/health"))
			.timeout(Duration.ofSeconds(5))
			.build();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException(
						name + " exited with " + process.exitValue() + " before it was ready; see " + log);
			}
			try {
				HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
				if (response.statusCode() == 200 && response.body().contains("\"status\":\"UP\"")) {
					return (System.nanoTime() - startNanos) / 1e9;
				}
			}
			catch (IOException notYet) {
				// not listening yet
			}
			Thread.sleep(250);
		}
		throw new IllegalStateException(name + " not healthy within " + timeout + "; see " + log);
	}

	long pid() {
		return process.pid();
	}

	/** Resident memory from /proc (Linux), MiB; NaN elsewhere. */
	double rssMb() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
				if (line.startsWith("VmRSS:")) {
					return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
				}
			}
		}
		catch (IOException | NumberFormatException unavailable) {
			// not Linux
		}
		return Double.NaN;
	}

	/**
	 * Heap in use after a full collection ({@code jcmd GC.run}, then GC.heap_info), MiB.
	 */
	double heapAfterFullGcMb() {
		try {
			Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
			run(jcmd.toString(), String.valueOf(process.pid()), "GC.run");
			String info = run(jcmd.toString(), String.valueOf(process.pid()), "GC.heap_info");
			Matcher used = HEAP_USED.matcher(info);
			return used.find() ? Long.parseLong(used.group(1)) / 1024.0 : Double.NaN;
		}
		catch (IOException | InterruptedException unavailable) {
			return Double.NaN;
		}
	}

	private static String run(String... command) throws IOException, InterruptedException {
		Process jcmd = new ProcessBuilder(command).redirectErrorStream(true).start();
		String out = new String(jcmd.getInputStream().readAllBytes());
		jcmd.waitFor(60, TimeUnit.SECONDS);
		return out;
	}

	@Override
	public void close() {
		if (process.isAlive()) {
			process.destroy();
			try {
				if (!process.waitFor(60, TimeUnit.SECONDS)) {
					process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException interrupted) {
				process.destroyForcibly();
				Thread.currentThread().interrupt();
			}
		}
		RUNNING.remove(this);
	}

	static void stopAll() {
		for (ChildServer server : RUNNING) {
			server.close();
		}
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
