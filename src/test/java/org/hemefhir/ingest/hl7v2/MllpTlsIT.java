package org.hemefhir.ingest.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import javax.net.ssl.SSLSocket;
import org.hemefhir.SmartServer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.ssl.SslBundle;

/**
 * The application's MLLP listener over TLS with client certificates, configured as a
 * deployment configures it (a Spring SSL bundle, a sender with its certificate subject),
 * in smart mode: the laboratory's certificate opens the door, its results are stored.
 */
class MllpTlsIT {

	private final SmartServer server = SmartServer.get();

	@Test
	void aLaboratoryWithItsCertificateDeliversResults() throws Exception {
		String mrn = "tls-" + UUID.randomUUID();
		Response patient = server.with("hemefhir/admin").body("""
				{"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"%s"}],
				 "gender":"female","birthDate":"1964"}""".formatted(mrn)).post("/Patient");
		assertThat(patient.statusCode()).as(patient.asString()).isEqualTo(201);
		String prefix = "TLS" + UUID.randomUUID().toString().substring(0, 8);
		String message = Hl7v2Messages.forPatient("oru-r01-v251-anc-final.hl7", mrn, prefix);
		String control = Hl7v2Messages.segment(message, "MSH").orElseThrow()[9];

		String ack = send(MllpServerTest.bundle("lab-a.p12"), message);
		assertThat(ack).contains("MSA|AA|" + control);
		Response stored = server.with("hemefhir/admin").get("/Observation?subject=Patient/" + patient.path("id"));
		assertThat(stored.jsonPath().getList("entry")).isNotEmpty();

		// the message's AuditEvent names the laboratory it was attributed to
		assertThat(awaitAudit(control)).contains("lab-a", "\"outcome\":\"0\"");

		assertThat(send(MllpServerTest.bundle("lab-b.p12"), message)).as("another laboratory's certificate").isNull();
		assertThat(send(MllpServerTest.bundle(null), message)).as("no certificate").isNull();
		assertThat(plain(message)).as("no TLS").isNull();
	}

	private String awaitAudit(String controlId) throws InterruptedException {
		long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
		while (true) {
			String events = server.with("system/AuditEvent.rs")
				.get("/AuditEvent?type=110107&agent-name=lab-a&_count=100")
				.asString();
			for (String event : events.split("\"fullUrl\"")) {
				if (event.contains(controlId)) {
					return event;
				}
			}
			assertThat(System.nanoTime()).as("MLLP message %s audited in time", controlId).isLessThan(deadline);
			Thread.sleep(200);
		}
	}

	private String send(SslBundle bundle, String message) {
		try (SSLSocket socket = (SSLSocket) bundle.createSslContext()
			.getSocketFactory()
			.createSocket("127.0.0.1", server.mllpPort())) {
			socket.setSoTimeout(60_000);
			return exchange(socket, message);
		}
		catch (IOException refused) {
			return null;
		}
	}

	private String plain(String message) {
		try (Socket socket = new Socket("127.0.0.1", server.mllpPort())) {
			socket.setSoTimeout(20_000);
			return exchange(socket, message);
		}
		catch (IOException refused) {
			return null;
		}
	}

	/** Frames the message, returns the ACK or null when the connection closed first. */
	private static String exchange(Socket socket, String message) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(0x0b);
		out.write(message.getBytes(StandardCharsets.UTF_8));
		out.write(new byte[] { 0x1c, 0x0d });
		out.flush();
		InputStream in = socket.getInputStream();
		ByteArrayOutputStream ack = new ByteArrayOutputStream();
		int b;
		while ((b = in.read()) != -1 && b != 0x1c) {
			if (b != 0x0b) {
				ack.write(b);
			}
		}
		return b == -1 ? null : ack.toString(StandardCharsets.UTF_8);
	}

}
