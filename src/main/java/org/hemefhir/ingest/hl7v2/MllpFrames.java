package org.hemefhir.ingest.hl7v2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads MLLP frames ({@code 0x0B message 0x1C 0x0D}) from a stream, one at a time.
 * Whitespace between frames is skipped; anything else outside a frame, a frame end
 * without its CR, a start byte inside a message and a message over the size limit end the
 * conversation, as the sender's framing can no longer be trusted.
 */
final class MllpFrames {

	static final int START_BLOCK = 0x0B;
	static final int END_BLOCK = 0x1C;
	static final int CARRIAGE_RETURN = 0x0D;

	/** What the next bytes were. */
	sealed interface Frame {

	}

	/** A complete message (decoded as UTF-8). */
	record Message(String text) implements Frame {
	}

	/** Framing the reader cannot follow; {@code reason} is for the AR. */
	record Broken(String reason) implements Frame {
	}

	/**
	 * A message over the limit; {@code start} is what arrived of it, to address the AR.
	 */
	record TooLarge(String start) implements Frame {
	}

	/** The peer closed the connection between frames (or inside one). */
	record End() implements Frame {
	}

	private final InputStream in;

	private final long maxMessageBytes;

	private final ByteArrayOutputStream message = new ByteArrayOutputStream();

	MllpFrames(InputStream in, long maxMessageBytes) {
		this.in = in;
		this.maxMessageBytes = maxMessageBytes;
	}

	Frame next() throws IOException {
		int b;
		do {
			b = in.read();
			if (b == -1) {
				return new End();
			}
		}
		while (b != START_BLOCK && Character.isWhitespace(b));
		if (b != START_BLOCK) {
			return new Broken("Data outside an MLLP frame: a message must start with 0x0B");
		}
		message.reset();
		while (true) {
			b = in.read();
			if (b == -1) {
				return new End();
			}
			if (b == END_BLOCK) {
				if (in.read() != CARRIAGE_RETURN) {
					return new Broken("Broken MLLP frame: 0x1C must be followed by 0x0D");
				}
				return new Message(message.toString(StandardCharsets.UTF_8));
			}
			if (b == START_BLOCK) {
				return new Broken("Broken MLLP frame: 0x0B inside a message");
			}
			if (message.size() >= maxMessageBytes) {
				return new TooLarge(message.toString(StandardCharsets.UTF_8));
			}
			message.write(b);
		}
	}

	/** {@code text} in an MLLP frame. */
	static byte[] frame(String text) {
		byte[] body = text.getBytes(StandardCharsets.UTF_8);
		byte[] frame = new byte[body.length + 3];
		frame[0] = START_BLOCK;
		System.arraycopy(body, 0, frame, 1, body.length);
		frame[body.length + 1] = END_BLOCK;
		frame[body.length + 2] = CARRIAGE_RETURN;
		return frame;
	}

}
