package org.hemefhir.ingest.hl7v2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A laboratory system's side of one MLLP connection, for the benchmarks: one message at a
 * time.
 */
public final class MllpClient implements AutoCloseable {

	private final Socket socket;

	private final OutputStream out;

	private final InputStream in;

	public MllpClient(String host, int port, Duration answerTimeout) throws IOException {
		socket = new Socket(host, port);
		socket.setSoTimeout((int) answerTimeout.toMillis());
		socket.setTcpNoDelay(true);
		out = socket.getOutputStream();
		in = socket.getInputStream();
	}

	/** Sends one framed message and returns the answer without its frame. */
	public String send(String message) throws IOException {
		out.write(MllpFrames.START_BLOCK);
		out.write(message.getBytes(StandardCharsets.UTF_8));
		out.write(new byte[] { (byte) MllpFrames.END_BLOCK, (byte) MllpFrames.CARRIAGE_RETURN });
		out.flush();
		if (in.read() != MllpFrames.START_BLOCK) {
			throw new IOException("No MLLP start block in the answer");
		}
		ByteArrayOutputStream ack = new ByteArrayOutputStream();
		for (int b = in.read(); b != MllpFrames.END_BLOCK; b = in.read()) {
			if (b == -1) {
				throw new IOException("Connection closed mid-answer");
			}
			ack.write(b);
		}
		in.read();
		return ack.toString(StandardCharsets.UTF_8);
	}

	@Override
	public void close() throws IOException {
		socket.close();
	}

}
