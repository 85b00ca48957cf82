package org.hemefhir.ingest.hl7v2;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import javax.security.auth.x500.X500Principal;
import org.hemefhir.ingest.Hl7v2Sender;
import org.hemefhir.audit.AuditTrail;
import org.hemefhir.system.Admission;
import org.hemefhir.system.RequestBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MLLP (HL7 v2 over TCP): each message framed as {@code 0x0B message 0x1C 0x0D}, answered
 * by its ACK in the same framing, many messages per connection, one at a time. Data
 * outside a frame, a broken frame or a message over the size limit is answered with an AR
 * and the connection is closed, as the sender's framing can no longer be trusted.
 * Connections run on daemon threads, at most {@code maxConnections} at once.
 *
 * <p>
 * Each connection is attributed to one configured sender by its address (others are
 * closed before anything is read), then, with TLS, checked against the sender's client
 * certificate subject; the sender goes with each of its messages to the ingestor.
 */
final class MllpServer implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(MllpServer.class);

	private final Hl7v2Ingestor ingestor;

	private final Admission admission;

	private final AuditTrail audit;

	private final long maxMessageBytes;

	private final int maxConnections;

	private final Duration idleTimeout;

	private final Semaphore slots;

	private final Set<Socket> open = ConcurrentHashMap.newKeySet();

	private final AtomicInteger threadNumber = new AtomicInteger();

	private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
		Thread thread = new Thread(task, "mllp-" + threadNumber.incrementAndGet());
		thread.setDaemon(true);
		return thread;
	});

	private volatile ServerSocket server;

	private volatile MllpSenders senders = MllpSenders.anyone();

	private volatile MllpTls tls;

	MllpServer(Hl7v2Ingestor ingestor, Admission admission, AuditTrail audit, long maxMessageBytes, int maxConnections,
			Duration idleTimeout) {
		this.ingestor = ingestor;
		this.audit = audit;
		this.admission = admission;
		this.maxMessageBytes = maxMessageBytes;
		this.maxConnections = maxConnections;
		this.idleTimeout = idleTimeout;
		this.slots = new Semaphore(maxConnections);
	}

	/**
	 * Listens on {@code port} (0: any free port) of all interfaces, for any sender,
	 * without TLS.
	 */
	void start(int port) throws IOException {
		start(port, null, MllpSenders.anyone(), null);
	}

	/**
	 * Listens on {@code port} of {@code address} (null: all interfaces); connections from
	 * addresses of no sender are closed unanswered. {@code tls} null: plain TCP.
	 */
	void start(int port, InetAddress address, MllpSenders senders, MllpTls tls) throws IOException {
		this.senders = senders;
		this.tls = tls;
		ServerSocket socket = new ServerSocket();
		socket.setReuseAddress(true);
		socket.bind(new InetSocketAddress(address, port));
		server = socket;
		threads.execute(this::accept);
	}

	int port() {
		return server.getLocalPort();
	}

	private void accept() {
		while (!server.isClosed()) {
			Socket client;
			try {
				client = server.accept();
			}
			catch (IOException e) {
				if (!server.isClosed()) {
					log.warn("MLLP accept failed: {}", e.getMessage());
				}
				continue;
			}
			Optional<MllpSenders.Sender> sender = senders.at(client.getInetAddress());
			if (sender.isEmpty()) {
				log.warn("MLLP connection from {} refused: not an address of a configured sender "
						+ "(hemefhir.hl7v2.mllp.senders)", client.getInetAddress().getHostAddress());
				closeQuietly(client);
				continue;
			}
			if (!slots.tryAcquire()) {
				log.warn("MLLP connection from {} refused: {} connections are open", client.getRemoteSocketAddress(),
						maxConnections);
				closeQuietly(client);
				continue;
			}
			open.add(client);
			threads.execute(() -> {
				try {
					serve(client, sender.get());
				}
				finally {
					open.remove(client);
					closeQuietly(client);
					slots.release();
				}
			});
		}
	}

	private void serve(Socket client, MllpSenders.Sender configured) {
		Socket socket = client;
		try {
			// ACKs are small single writes; Nagle's algorithm would hold them for the
			// peer's delayed ACK.
			client.setTcpNoDelay(true);
			MllpTls secure = tls;
			X500Principal subject = null;
			if (secure != null) {
				SSLSocket secured = handshake(secure, client);
				if (secured == null) {
					return;
				}
				socket = secured;
				subject = MllpTls.peerSubject(secured);
			}
			if (!configured.accepts(subject)) {
				log.warn("MLLP connection from {} refused: sender {} must present a client certificate for {}, not {}",
						client.getInetAddress().getHostAddress(), configured.name(), configured.certificateSubject(),
						subject == null ? "none" : subject.getName(X500Principal.RFC2253));
				return;
			}
			Hl7v2Sender sender = new Hl7v2Sender(configured.name(), client.getInetAddress().getHostAddress(),
					subject == null ? null : subject.getName(X500Principal.RFC2253), secure != null);
			log.debug("MLLP connection {} from sender {}", client.getRemoteSocketAddress(), sender);
			socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, idleTimeout.toMillis()));
			MllpFrames frames = new MllpFrames(new BufferedInputStream(socket.getInputStream()), maxMessageBytes);
			OutputStream out = socket.getOutputStream();
			while (true) {
				MllpFrames.Frame frame = frames.next();
				if (frame instanceof MllpFrames.Message message) {
					reply(out, receive(message.text(), client, sender));
					continue;
				}
				if (frame instanceof MllpFrames.Broken broken) {
					reply(out, ingestor.reject(broken.reason()));
				}
				else if (frame instanceof MllpFrames.TooLarge tooLarge) {
					reply(out, ingestor.tooLarge(tooLarge.start(), maxMessageBytes));
				}
				return;
			}
		}
		catch (SocketTimeoutException e) {
			log.debug("MLLP connection {} idle for {}; closed", client.getRemoteSocketAddress(), idleTimeout);
		}
		catch (SocketException e) {
			log.debug("MLLP connection {} ended: {}", client.getRemoteSocketAddress(), e.getMessage());
		}
		catch (IOException e) {
			log.warn("MLLP connection {} failed: {}", client.getRemoteSocketAddress(), e.getMessage());
		}
		finally {
			if (socket != client) {
				closeQuietly(socket); // TLS close_notify, then the connection
			}
		}
	}

	/** The TLS connection, or null when the handshake failed (logged). */
	private static SSLSocket handshake(MllpTls tls, Socket client) {
		try {
			return tls.handshake(client);
		}
		catch (IOException e) {
			log.warn("MLLP connection from {} refused: TLS handshake failed: {}",
					client.getInetAddress().getHostAddress(), e.getMessage());
			return null;
		}
	}

	/** One message, admitted and budgeted like an HTTP request. */
	private String receive(String message, Socket client, Hl7v2Sender sender) {
		Optional<Admission.Slot> slot = admission.enter();
		if (slot.isEmpty()) {
			return ingestor.busy(message, admission.busy().getMessage());
		}
		RequestBudget.Connection connection = new RequestBudget.Connection(client.getInetAddress().getHostAddress(),
				client.getPort(), client.getLocalPort());
		try (Admission.Slot taken = slot.get();
				RequestBudget budget = RequestBudget.open(admission.limits(), connection,
						"MLLP message from " + client.getRemoteSocketAddress())) {
			Hl7v2Ingestor.Reply reply = ingestor.receive(message, sender);
			log.info("MLLP message {} from {}: {}", Hl7v2Ingestor.controlId(message), sender, reply.code());
			audit.mllpMessage(sender.name(), sender.address(), reply.audited());
			return reply.ack();
		}
	}

	private static void reply(OutputStream out, String ack) throws IOException {
		out.write(MllpFrames.frame(ack));
		out.flush();
	}

	@Override
	public void close() {
		ServerSocket socket = server;
		if (socket != null) {
			closeQuietly(socket);
		}
		open.forEach(MllpServer::closeQuietly);
		threads.shutdownNow();
		MllpTls secure = tls;
		if (secure != null) {
			secure.close();
		}
	}

	private static void closeQuietly(java.io.Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException ignored) {
			// closing anyway
		}
	}

}
