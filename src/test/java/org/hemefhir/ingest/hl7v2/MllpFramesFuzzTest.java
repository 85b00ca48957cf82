package org.hemefhir.ingest.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * MLLP framing over any byte stream: the reader ends (every frame consumes input), never
 * throws, never hands on a message over the limit, and stops after a broken frame. Seeds:
 * the messages of {@code sample-bundles/hl7v2/}, framed by the harness when they arrive
 * unframed.
 */
class MllpFramesFuzzTest {

	private static final int LIMIT = 4096;

	@FuzzTest
	void frames(byte[] input) throws IOException {
		byte[] stream = new String(input, StandardCharsets.ISO_8859_1).startsWith("MSH") ? twiceFramed(input) : input;
		MllpFrames frames = new MllpFrames(new ByteArrayInputStream(stream), LIMIT);
		for (int i = 0; i <= stream.length + 1; i++) {
			MllpFrames.Frame frame = frames.next();
			if (frame instanceof MllpFrames.Message message) {
				assertThat(message.text().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(LIMIT * 4);
				continue;
			}
			if (frame instanceof MllpFrames.Broken broken) {
				assertThat(broken.reason()).isNotBlank();
			}
			else if (frame instanceof MllpFrames.TooLarge tooLarge) {
				assertThat(tooLarge.start().length()).isLessThanOrEqualTo(LIMIT);
			}
			return;
		}
		throw new AssertionError("the reader produced more frames than the stream has bytes");
	}

	/** A message as a sender puts it on the wire: framed, and a second one after it. */
	private static byte[] twiceFramed(byte[] message) {
		String text = new String(message, StandardCharsets.ISO_8859_1);
		byte[] one = MllpFrames.frame(text);
		byte[] both = new byte[one.length * 2];
		System.arraycopy(one, 0, both, 0, one.length);
		System.arraycopy(one, 0, both, one.length, one.length);
		return both;
	}

}
