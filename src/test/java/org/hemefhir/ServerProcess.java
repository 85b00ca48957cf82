package org.hemefhir;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged server ({@code target/hemefhir.jar}) in a child process, for tests that
 * must kill it the hard way and start it again on the same data directory.
 */
public final class ServerProcess implements AutoCloseable {

	private static final Path JAR = Path.of("target", "hemefhir.jar");

	private final Process process;

	private final int port;

	private final Path log;

	private ServerProcess(Process process, int port, Path log) {
		this.process = process;
		this.port = port;
		this.log = log;
	}

	/**
	 * Starts the jar on {@code port} over {@code dataDir}; its output goes to a log file
	 * there.
	 */
	public static ServerProcess start(Path dataDir, int port, String... arguments) throws IOException {
		return start(dataDir, port, Map.of(), arguments);
	}

	/**
	 * {@link #start(Path, int, String...)} with environment variables set for the server.
	 */
	public static ServerProcess start(Path dataDir, int port, Map<String, String> environment, String... arguments)
			throws IOException {
		if (!JAR.toFile().exists()) {
			throw new IllegalStateException(JAR + " is missing: integration tests run after the package phase");
		}
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-jar",
						JAR.toAbsolutePath().toString(), "--server.port=" + port, "--server.address=127.0.0.1",
						"--hemefhir.data-dir=" + dataDir.resolve("db"),
						// as in the shared test server: Bulk export steps on within a
						// second
						"--hemefhir.batch-maintenance-interval=1s"));
		command.addAll(List.of(arguments));
		Path log = dataDir.resolve("server-" + System.nanoTime() + ".log");
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
		builder.environment().putAll(environment);
		Process process = builder.start();
		ServerProcess server = new ServerProcess(process, port, log);
		server.awaitHealthy();
		return server;
	}

	public int port() {
		return port;
	}

	/** What the server has logged so far. */
	public String log() throws IOException {
		return java.nio.file.Files.readString(log);
	}

	/** SIGKILL: no shutdown hook, no flush, no goodbye. */
	public void kill() throws InterruptedException {
		process.destroyForcibly();
		process.waitFor(30, TimeUnit.SECONDS);
	}

	@Override
	public void close() throws InterruptedException {
		kill();
	}

	public static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private void awaitHealthy() {
		Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
		while (Instant.now().isBefore(deadline)) {
			if (!process.isAlive()) {
				throw new IllegalStateException("the server process exited during startup");
			}
			try {
				if (given().basePath("").port(port).get("/actuator/health").statusCode() == 200) {
					return;
				}
			}
			catch (Exception notYetListening) {
				// keep waiting
			}
			sleep();
		}
		throw new IllegalStateException("the server did not become healthy within 4 minutes");
	}

	private static void sleep() {
		try {
			Thread.sleep(100);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

}
