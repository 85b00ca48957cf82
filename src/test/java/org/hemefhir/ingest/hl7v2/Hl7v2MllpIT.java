package org.hemefhir.ingest.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.ackCode;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.errorLocations;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.errorMessages;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.forPatient;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.segment;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hemefhir.FhirIntegrationTest;
import org.hemefhir.audit.AuditTrail;
import org.hemefhir.ingest.Hl7v2Sender;
import org.hemefhir.system.Admission;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** MLLP over a real socket, served by the application's own ingestor. */
class Hl7v2MllpIT extends FhirIntegrationTest {

	@Autowired
	Hl7v2Ingestor ingestor;

	@Autowired
	MllpListener listener;

	@Autowired
	Admission admission;

	@Autowired
	IInterceptorService interceptors;

	@Autowired
	AuditTrail audit;

	private MllpServer server;

	@BeforeEach
	void startServer() throws IOException {
		server = new MllpServer(ingestor, admission, audit, 4096, 4, Duration.ofSeconds(30));
		server.start(0);
	}

	@AfterEach
	void stopServer() {
		server.close();
	}

	@Test
	void listenerIsOffByDefault() {
		assertThat(listener.isRunning()).isFalse();
	}

	@Test
	void severalMessagesOnOneConnectionEachGetTheirAck() throws IOException {
		String mrn = unique("mllp");
		String patient = "Patient/" + createPatient(mrn);
		String prefix = unique("M");
		List<String> messages = List.of(forPatient("oru-r01-v251-anc-final.hl7", mrn, prefix),
				forPatient("oru-r01-v24-hemoglobin-wbc.hl7", mrn, prefix),
				forPatient("broken-wrong-unit.hl7", mrn, prefix),
				forPatient("oru-r01-v251-anc-corrected.hl7", mrn, prefix));
		try (Socket socket = new Socket("127.0.0.1", server.port())) {
			socket.setSoTimeout(60_000);
			OutputStream out = socket.getOutputStream();
			// Sent back to back, before reading any ACK.
			for (String message : messages) {
				out.write(frame(message));
			}
			out.flush();
			InputStream in = socket.getInputStream();
			for (int i = 0; i < messages.size(); i++) {
				String ack = readFrame(in);
				assertThat(segment(ack, "MSA").orElseThrow()[2])
					.isEqualTo(segment(messages.get(i), "MSH").orElseThrow()[9]);
				assertThat(ackCode(ack)).as(ack.replace('\r', '\n')).isEqualTo(i == 2 ? "AE" : "AA");
			}
			assertThat(errorLocations(readAfter(out, in, messages.get(2)))).containsExactly("OBX^1^6");
		}
		List<Object> stored = search("/Observation", "subject=" + patient).then()
			.extract()
			.jsonPath()
			.getList("entry.resource.status");
		assertThat(stored).containsExactlyInAnyOrder("corrected", "final", "final");
		// each message audited with its sender and ACK code
		String refused = segment(messages.get(2), "MSH").orElseThrow()[9];
		String anc = segment(messages.get(0), "MSH").orElseThrow()[9];
		assertThat(awaitAuditOf(refused)).contains("\"outcome\":\"4\"", "ACK AE", "MLLP from 127.0.0.1");
		assertThat(awaitAuditOf(anc)).contains("\"outcome\":\"0\"", "ORU", "R01");
	}

	/** The AuditEvent of the MLLP message with this control id, as JSON text. */
	private static String awaitAuditOf(String controlId) {
		long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
		while (true) {
			String bundle = search("/AuditEvent", "type=110107", "_count=100", "_sort=-date").then()
				.statusCode(200)
				.extract()
				.asString();
			for (String event : bundle.split("\"fullUrl\"")) {
				if (event.contains(controlId)) {
					return event;
				}
			}
			assertThat(System.nanoTime()).as("MLLP message %s audited in time", controlId).isLessThan(deadline);
			try {
				Thread.sleep(200);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * What an audit hook sees: every resource the message stores is written by a request
	 * that names the MLLP sender.
	 */
	@Test
	void theStoringRequestNamesTheSender() throws IOException {
		String mrn = unique("sender");
		createPatient(mrn);
		List<Optional<Hl7v2Sender>> seen = new CopyOnWriteArrayList<>();
		Object hook = new Object() {
			@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
			public void created(IBaseResource resource, RequestDetails request) {
				// the audit writer stores its records meanwhile, as the server's own work
				if (!Set.of("AuditEvent", "Provenance").contains(resource.fhirType())) {
					seen.add(Hl7v2Sender.of(request));
				}
			}
		};
		interceptors.registerInterceptor(hook);
		try (Socket socket = new Socket("127.0.0.1", server.port())) {
			socket.setSoTimeout(60_000);
			socket.getOutputStream().write(frame(forPatient("oru-r01-v251-anc-final.hl7", mrn, unique("S"))));
			assertThat(ackCode(readFrame(socket.getInputStream()))).isEqualTo("AA");
		}
		finally {
			interceptors.unregisterInterceptor(hook);
		}
		assertThat(seen).isNotEmpty()
			.allSatisfy(sender -> assertThat(sender)
				.contains(new Hl7v2Sender(Hl7v2Sender.ANONYMOUS, "127.0.0.1", null, false)));
	}

	@Test
	void dataOutsideAFrameGetsArAndTheConnectionCloses() throws IOException {
		try (Socket socket = new Socket("127.0.0.1", server.port())) {
			socket.setSoTimeout(30_000);
			socket.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			InputStream in = socket.getInputStream();
			String ack = readFrame(in);
			assertThat(ackCode(ack)).isEqualTo("AR");
			assertThat(errorMessages(ack).get(0)).contains("outside an MLLP frame");
			assertThat(in.read()).isEqualTo(-1);
		}
	}

	@Test
	void messageOverTheSizeLimitGetsAr() throws IOException {
		String big = forPatient("oru-r01-v251-anc-final.hl7", "nobody", unique("L")) + "\rNTE|1||" + "x".repeat(5000);
		try (Socket socket = new Socket("127.0.0.1", server.port())) {
			socket.setSoTimeout(30_000);
			socket.getOutputStream().write(frame(big));
			InputStream in = socket.getInputStream();
			String ack = readFrame(in);
			assertThat(ackCode(ack)).isEqualTo("AR");
			assertThat(segment(ack, "MSA").orElseThrow()[2]).isEqualTo(segment(big, "MSH").orElseThrow()[9]);
			assertThat(errorMessages(ack).get(0)).contains("exceeds the limit of 4096 bytes");
		}
	}

	/**
	 * Sends one more message and returns its ACK: the connection still works after an AE.
	 */
	private static String readAfter(OutputStream out, InputStream in, String message) throws IOException {
		out.write(frame(message));
		out.flush();
		return readFrame(in);
	}

	static byte[] frame(String message) {
		byte[] body = message.getBytes(StandardCharsets.UTF_8);
		byte[] framed = new byte[body.length + 3];
		framed[0] = MllpFrames.START_BLOCK;
		System.arraycopy(body, 0, framed, 1, body.length);
		framed[body.length + 1] = MllpFrames.END_BLOCK;
		framed[body.length + 2] = MllpFrames.CARRIAGE_RETURN;
		return framed;
	}

	static String readFrame(InputStream in) throws IOException {
		int b = in.read();
		assertThat(b).as("start block").isEqualTo(MllpFrames.START_BLOCK);
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		while ((b = in.read()) != MllpFrames.END_BLOCK) {
			assertThat(b).as("frame ended early").isNotEqualTo(-1);
			body.write(b);
		}
		assertThat(in.read()).isEqualTo(MllpFrames.CARRIAGE_RETURN);
		return body.toString(StandardCharsets.UTF_8);
	}

}
