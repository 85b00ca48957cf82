package org.hemefhir.ingest.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.AcknowledgmentCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.hemefhir.audit.AuditTrail;
import org.hemefhir.ingest.Hl7v2Sender;
import org.hemefhir.system.Admission;
import org.hemefhir.system.LimitsProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.jks.JksSslStoreBundle;
import org.springframework.boot.ssl.jks.JksSslStoreDetails;

/**
 * The MLLP server over real sockets on 127.0.0.1, without a database: senders by address,
 * TLS with client certificates (stores in src/test/resources/mllp-tls), the handshake
 * deadline, and the sender each message is attributed to.
 */
class MllpServerTest {

	private static final String MESSAGE = "MSH|^~\\&|LIS|LAB|HEMEFHIR|HOSP|20250110||ORU^R01|MSG-1|P|2.5.1\rPID|1";

	private final Queue<Hl7v2Sender> received = new ConcurrentLinkedQueue<>();

	/** Answers AA to everything and remembers who sent it. */
	private final Hl7v2Ingestor ingestor = new Hl7v2Ingestor(null, null,
			new Hl7v2Properties(ZoneOffset.UTC, null, null, null)) {
		@Override
		public Reply receive(String text, Hl7v2Sender sender) {
			received.add(sender);
			return new Reply("MSH|^~\\&|HEMEFHIR|HOSP|LIS|LAB|20250110||ACK|A1|P|2.5.1\rMSA|AA|" + controlId(text),
					AcknowledgmentCode.AA, true, null);
		}
	};

	private final Admission admission = new Admission(new LimitsProperties(Duration.ofSeconds(30), 4,
			Duration.ofSeconds(2), Duration.ofSeconds(5), 100, 100_000, 40, 10));

	private MllpServer server;

	@AfterEach
	void stop() {
		server.close();
	}

	@Test
	void withoutSendersEveryConnectionIsAnonymous() throws IOException {
		start(List.of(), null);
		assertThat(send(new Socket("127.0.0.1", server.port()))).contains("MSA|AA|MSG-1");
		assertThat(received).containsExactly(new Hl7v2Sender(Hl7v2Sender.ANONYMOUS, "127.0.0.1", null, false));
	}

	@Test
	void aConnectionFromAnAddressOfNoSenderIsClosedUnread() throws IOException {
		start(List.of(sender("lab-a", "192.0.2.0/24", null)), null);
		assertThat(send(new Socket("127.0.0.1", server.port()))).isNull();
		assertThat(received).isEmpty();
	}

	@Test
	void aPlainConnectionIsAttributedToTheSenderOfItsAddress() throws IOException {
		start(List.of(sender("lab-b", "192.0.2.7", null), sender("lab-a", "10.0.0.5, 127.0.0.0/8", null)), null);
		assertThat(send(new Socket("127.0.0.1", server.port()))).contains("MSA|AA|MSG-1");
		assertThat(received).containsExactly(new Hl7v2Sender("lab-a", "127.0.0.1", null, false));
	}

	@Test
	void aTrustedClientCertificateGetsItsAckAndNamesTheSender() throws IOException {
		start(List.of(sender("lab-a", "127.0.0.1", "lab-a")),
				tls(Hl7v2Properties.ClientAuth.NEED, Duration.ofSeconds(10)));
		assertThat(send(tlsClient("lab-a.p12"))).contains("MSA|AA|MSG-1");
		assertThat(received)
			.containsExactly(new Hl7v2Sender("lab-a", "127.0.0.1", "CN=lab-a,O=Example Laboratory", true));
	}

	@Test
	void withClientCertificatesNeededOthersAreRefused() throws IOException {
		start(List.of(sender("lab-a", "127.0.0.1", "CN=lab-a, O=Example Laboratory")),
				tls(Hl7v2Properties.ClientAuth.NEED, Duration.ofSeconds(10)));
		assertThat(send(tlsClient(null))).as("no certificate").isNull();
		assertThat(send(tlsClient("untrusted.p12"))).as("self-signed, same subject").isNull();
		assertThat(send(tlsClient("lab-b.p12"))).as("trusted, another laboratory's subject").isNull();
		assertThat(send(new Socket("127.0.0.1", server.port()))).as("plain TCP").isNull();
		assertThat(received).isEmpty();
		assertThat(send(tlsClient("lab-a.p12"))).contains("MSA|AA|");
	}

	@Test
	void withClientCertificatesWantedOnlySendersWithASubjectNeedOne() throws IOException {
		start(List.of(sender("lab-a", "127.0.0.1", null)),
				tls(Hl7v2Properties.ClientAuth.WANT, Duration.ofSeconds(10)));
		assertThat(send(tlsClient(null))).contains("MSA|AA|");
		assertThat(send(tlsClient("untrusted.p12"))).as("a certificate sent is checked").isNull();
		assertThat(received).containsExactly(new Hl7v2Sender("lab-a", "127.0.0.1", null, true));
		server.close();
		start(List.of(sender("lab-a", "127.0.0.1", "lab-a")),
				tls(Hl7v2Properties.ClientAuth.WANT, Duration.ofSeconds(10)));
		assertThat(send(tlsClient(null))).isNull();
	}

	@Test
	void aConnectionThatDoesNotFinishItsHandshakeIsClosedAtTheDeadline() throws IOException {
		start(List.of(), tls(Hl7v2Properties.ClientAuth.NONE, Duration.ofMillis(500)));
		long started = System.nanoTime();
		try (Socket silent = new Socket("127.0.0.1", server.port())) {
			silent.setSoTimeout(10_000);
			assertThat(readOrEnd(silent.getInputStream())).isEqualTo(-1);
		}
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
		// one byte every 100 ms restarts a read timeout, not the deadline
		started = System.nanoTime();
		try (Socket trickling = new Socket("127.0.0.1", server.port())) {
			trickling.setSoTimeout(100);
			OutputStream out = trickling.getOutputStream();
			boolean closed = false;
			for (int i = 0; i < 100 && !closed; i++) {
				out.write(i == 0 ? 0x16 : 0x03);
				try {
					closed = readOrEnd(trickling.getInputStream()) == -1;
				}
				catch (SocketTimeoutException e) {
					// still open
				}
			}
			assertThat(closed).isTrue();
		}
		catch (IOException e) {
			// reset while writing: closed as well
		}
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
	}

	private void start(List<Hl7v2Properties.Sender> senders, MllpTls tls) throws IOException {
		server = new MllpServer(ingestor, admission, AuditTrail.off(), 4096, 4, Duration.ofSeconds(30));
		server.start(0, InetAddress.getLoopbackAddress(), MllpSenders.of(senders), tls);
	}

	private static Hl7v2Properties.Sender sender(String name, String addresses, String subject) {
		return new Hl7v2Properties.Sender(name, List.of(addresses.split(",")), subject);
	}

	private static MllpTls tls(Hl7v2Properties.ClientAuth clientAuth, Duration handshakeTimeout) {
		return new MllpTls(bundle("server.p12"), clientAuth, handshakeTimeout);
	}

	/** A key store (null: none) and the test CA as trust store. */
	static SslBundle bundle(String keyStore) {
		return SslBundle.of(new JksSslStoreBundle(keyStore == null ? null : store(keyStore), store("trust.p12")));
	}

	private static JksSslStoreDetails store(String file) {
		return new JksSslStoreDetails("PKCS12", null, "classpath:mllp-tls/" + file, "changeit");
	}

	private Socket tlsClient(String keyStore) throws IOException {
		SslBundle bundle = bundle(keyStore);
		SSLSocketFactory factory = bundle.createSslContext().getSocketFactory();
		if ("untrusted.p12".equals(keyStore)) {
			factory = insisting(bundle).getSocketFactory();
		}
		SSLSocket socket = (SSLSocket) factory.createSocket("127.0.0.1", server.port());
		socket.setSoTimeout(10_000);
		try {
			socket.startHandshake();
		}
		catch (IOException e) {
			// refused in the handshake (TLS 1.2); send() then sees the closed connection
		}
		return socket;
	}

	/**
	 * A client that sends its certificate even when the server's CertificateRequest names
	 * another CA (JSSE would otherwise send none).
	 */
	private static SSLContext insisting(SslBundle bundle) {
		X509ExtendedKeyManager keys = (X509ExtendedKeyManager) bundle.getManagers().getKeyManagers()[0];
		X509ExtendedKeyManager insisting = new X509ExtendedKeyManager() {
			@Override
			public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
				return "lab-a";
			}

			@Override
			public String[] getClientAliases(String keyType, Principal[] issuers) {
				return new String[] { "lab-a" };
			}

			@Override
			public X509Certificate[] getCertificateChain(String alias) {
				return keys.getCertificateChain(alias);
			}

			@Override
			public PrivateKey getPrivateKey(String alias) {
				return keys.getPrivateKey(alias);
			}

			@Override
			public String[] getServerAliases(String keyType, Principal[] issuers) {
				return null;
			}

			@Override
			public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
				return null;
			}
		};
		try {
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(new KeyManager[] { insisting }, bundle.getManagers().getTrustManagers(), null);
			return context;
		}
		catch (GeneralSecurityException e) {
			throw new IllegalStateException(e);
		}
	}

	/** Sends the message and returns the ACK, or null when the server closed instead. */
	private static String send(Socket socket) {
		try (socket) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write(MllpFrames.frame(MESSAGE));
			socket.getOutputStream().flush();
			MllpFrames.Frame frame = new MllpFrames(socket.getInputStream(), 4096).next();
			return frame instanceof MllpFrames.Message message ? message.text() : null;
		}
		catch (SocketTimeoutException e) {
			throw new AssertionError("neither answered nor closed", e);
		}
		catch (IOException e) {
			return null; // reset or a TLS alert: refused
		}
	}

	private static int readOrEnd(InputStream in) throws IOException {
		try {
			return in.read() == -1 ? -1 : 0;
		}
		catch (SocketTimeoutException e) {
			throw e;
		}
		catch (IOException e) {
			return -1; // reset
		}
	}

}
