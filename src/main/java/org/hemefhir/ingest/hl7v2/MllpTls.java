package org.hemefhir.ingest.hl7v2;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.security.auth.x500.X500Principal;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslOptions;

/**
 * TLS on MLLP connections (JSSE), from a Spring Boot SSL bundle: TLS 1.2 and 1.3 only,
 * client certificates checked against the bundle's trust store. The handshake runs on the
 * connection's thread after the sender's address was accepted, and a connection that has
 * not finished it within the timeout is closed, however slowly it trickles bytes.
 */
final class MllpTls implements AutoCloseable {

	static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

	private final SSLSocketFactory factory;

	private final String[] protocols;

	private final String[] ciphers;

	private final Hl7v2Properties.ClientAuth clientAuth;

	private final Duration handshakeTimeout;

	private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(task -> {
		Thread thread = new Thread(task, "mllp-handshake-deadline");
		thread.setDaemon(true);
		return thread;
	});

	MllpTls(SslBundle bundle, Hl7v2Properties.ClientAuth clientAuth, Duration handshakeTimeout) {
		if (bundle.getStores().getKeyStore() == null) {
			throw new IllegalStateException("hemefhir.hl7v2.mllp.tls.bundle: the bundle has no key store "
					+ "with the server's key and certificate");
		}
		if (clientAuth != Hl7v2Properties.ClientAuth.NONE && bundle.getStores().getTrustStore() == null) {
			// without one, JSSE would trust the JDK's public CAs for client certificates
			throw new IllegalStateException(
					"hemefhir.hl7v2.mllp.tls.client-auth=" + clientAuth.name().toLowerCase(java.util.Locale.ROOT)
							+ " needs a trust store in the bundle: the CA that issues the laboratories' certificates");
		}
		this.factory = bundle.createSslContext().getSocketFactory();
		this.protocols = protocols(bundle.getOptions());
		this.ciphers = bundle.getOptions().getCiphers();
		this.clientAuth = clientAuth;
		this.handshakeTimeout = handshakeTimeout;
	}

	private static String[] protocols(SslOptions options) {
		String[] configured = options.getEnabledProtocols();
		String[] allowed = configured == null ? PROTOCOLS.toArray(String[]::new)
				: Arrays.stream(configured).filter(PROTOCOLS::contains).toArray(String[]::new);
		if (allowed.length == 0) {
			throw new IllegalStateException("The MLLP listener speaks TLSv1.2 and TLSv1.3 only; the bundle enables "
					+ Arrays.toString(configured));
		}
		return allowed;
	}

	Hl7v2Properties.ClientAuth clientAuth() {
		return clientAuth;
	}

	/**
	 * Runs the server side of the handshake over an accepted connection; throws when it
	 * fails or does not finish within the timeout (the connection is then closed).
	 */
	SSLSocket handshake(Socket accepted) throws IOException {
		SSLSocket socket = (SSLSocket) factory.createSocket(accepted, null, accepted.getPort(), true);
		socket.setUseClientMode(false);
		socket.setEnabledProtocols(protocols);
		if (ciphers != null) {
			socket.setEnabledCipherSuites(ciphers);
		}
		socket.setNeedClientAuth(clientAuth == Hl7v2Properties.ClientAuth.NEED);
		if (clientAuth == Hl7v2Properties.ClientAuth.WANT) {
			socket.setWantClientAuth(true);
		}
		// a read timeout alone restarts with every byte; the deadline does not
		AtomicBoolean late = new AtomicBoolean();
		ScheduledFuture<?> deadline = deadlines.schedule(() -> {
			late.set(true);
			closeQuietly(accepted);
		}, handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS);
		try {
			socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, handshakeTimeout.toMillis()));
			socket.startHandshake();
			return socket;
		}
		catch (IOException e) {
			if (e instanceof SocketTimeoutException || late.get()) {
				throw new SocketTimeoutException("not finished within " + handshakeTimeout.toMillis() + " ms");
			}
			throw e;
		}
		finally {
			deadline.cancel(false);
		}
	}

	/** Subject of the client certificate the handshake verified; null without one. */
	static X500Principal peerSubject(SSLSocket socket) {
		try {
			Certificate[] chain = socket.getSession().getPeerCertificates();
			return chain.length > 0 && chain[0] instanceof X509Certificate certificate
					? certificate.getSubjectX500Principal() : null;
		}
		catch (SSLPeerUnverifiedException e) {
			return null;
		}
	}

	@Override
	public void close() {
		deadlines.shutdownNow();
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ignored) {
			// closing anyway
		}
	}

}
