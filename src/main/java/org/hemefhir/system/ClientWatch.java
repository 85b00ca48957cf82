package org.hemefhir.system;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Stops the work of requests whose time is up or whose client has gone. A servlet
 * container only notices a closed connection when it writes the response, so a request
 * whose client gave up would otherwise run on until it finished. Every half second this
 * looks at the requests older than a second: those past their budget have their
 * statements cancelled, and on Linux, those whose connection the client has closed (the
 * kernel shows it in CLOSE_WAIT in {@code /proc/net/tcp}) are stopped too. Elsewhere only
 * the budget applies.
 */
@Component
class ClientWatch implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(ClientWatch.class);

	private static final List<Path> TCP_TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

	private static final String CLOSE_WAIT = "08";

	private ScheduledExecutorService timer;

	@Override
	public synchronized void start() {
		timer = Executors.newSingleThreadScheduledExecutor(task -> {
			Thread thread = new Thread(task, "client-watch");
			thread.setDaemon(true);
			return thread;
		});
		timer.scheduleWithFixedDelay(this::sweep, 500, 500, TimeUnit.MILLISECONDS);
	}

	@Override
	public synchronized void stop() {
		if (timer != null) {
			timer.shutdownNow();
			timer = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return timer != null;
	}

	void sweep() {
		try {
			Set<String> closedByClient = null;
			for (RequestBudget budget : RequestBudget.inFlight()) {
				if (budget.ageMillis() < 1000) {
					continue;
				}
				if (budget.isOver()) {
					budget.stop(RequestBudget.Reason.TIMEOUT);
					continue;
				}
				RequestBudget.Connection connection = budget.connection();
				if (connection.remotePort() < 0) {
					continue;
				}
				if (closedByClient == null) {
					closedByClient = closedByClient();
				}
				if (closedByClient.contains(
						key(normalise(connection.remoteAddress()), connection.remotePort(), connection.localPort()))) {
					log.info("Client of {} closed its connection; the request is stopped", budget);
					budget.stop(RequestBudget.Reason.CLIENT_GONE);
				}
			}
		}
		catch (RuntimeException e) {
			log.warn("Client watch failed: {}", e.toString());
		}
	}

	/**
	 * "remoteAddress:remotePort:localPort" of every TCP connection the peer has closed
	 * and we have not.
	 */
	static Set<String> closedByClient() {
		Set<String> closed = new HashSet<>();
		for (Path table : TCP_TABLES) {
			if (!Files.isReadable(table)) {
				continue;
			}
			try {
				for (String line : Files.readAllLines(table)) {
					parse(line, closed);
				}
			}
			catch (IOException e) {
				// not Linux, or no permission: the time budget still applies
			}
		}
		return closed;
	}

	/**
	 * A line of /proc/net/tcp: "sl local_address rem_address st ...", addresses as
	 * HEXIP:HEXPORT.
	 */
	static void parse(String line, Set<String> closed) {
		String[] fields = line.trim().split("\\s+");
		if (fields.length < 4 || !fields[3].equals(CLOSE_WAIT)) {
			return;
		}
		int local = port(fields[1]);
		int remote = port(fields[2]);
		String remoteAddress = address(fields[2]);
		if (local >= 0 && remote >= 0 && remoteAddress != null) {
			closed.add(key(remoteAddress, remote, local));
		}
	}

	/**
	 * The kernel writes each 32-bit word of an address in host (little-endian) byte
	 * order.
	 */
	static String address(String hexAddressAndPort) {
		int colon = hexAddressAndPort.lastIndexOf(':');
		String hex = colon < 0 ? "" : hexAddressAndPort.substring(0, colon);
		if (hex.length() != 8 && hex.length() != 32) {
			return null;
		}
		byte[] bytes = new byte[hex.length() / 2];
		try {
			for (int word = 0; word < bytes.length / 4; word++) {
				for (int b = 0; b < 4; b++) {
					int at = (word * 4 + 3 - b) * 2;
					bytes[word * 4 + b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
				}
			}
			return normalise(InetAddress.getByAddress(bytes).getHostAddress());
		}
		catch (NumberFormatException | UnknownHostException e) {
			return null;
		}
	}

	/**
	 * One spelling per address: IPv4-mapped IPv6 as IPv4, IPv6 in InetAddress's long
	 * form.
	 */
	static String normalise(String address) {
		if (address == null) {
			return "";
		}
		String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
				: address;
		try {
			if (a.matches("[0-9.]+") || a.contains(":")) { // literals only: never a DNS
															// lookup
				return InetAddress.getByName(a).getHostAddress();
			}
		}
		catch (UnknownHostException e) {
			// leave it as written
		}
		return a;
	}

	private static int port(String address) {
		int colon = address.lastIndexOf(':');
		try {
			return colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1).toUpperCase(Locale.ROOT), 16);
		}
		catch (NumberFormatException e) {
			return -1;
		}
	}

	private static String key(String remoteAddress, int remotePort, int localPort) {
		return remoteAddress + "|" + remotePort + "|" + localPort;
	}

}
