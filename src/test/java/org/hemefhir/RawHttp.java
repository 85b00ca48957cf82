package org.hemefhir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for requests that HTTP client libraries refuse to send as
 * written: a raw {@code |} in the query, an encoded {@code /} in the path. The request
 * line goes out byte for byte as given.
 */
public final class RawHttp {

	/** Status line code, headers (lower-cased names) and body of the answer. */
	public record Answer(int status, String headers, String body) {
		public String header(String name) {
			for (String line : headers.split("\r\n")) {
				int colon = line.indexOf(':');
				if (colon > 0 && line.substring(0, colon)
					.trim()
					.toLowerCase(Locale.ROOT)
					.equals(name.toLowerCase(Locale.ROOT))) {
					return line.substring(colon + 1).trim();
				}
			}
			return null;
		}
	}

	private RawHttp() {
	}

	public static Answer get(int port, String pathAndQuery) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: localhost\r\nAccept: application/fhir+json\r\n"
					+ "Connection: close\r\n\r\n")
				.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			byte[] response = readAll(socket.getInputStream());
			int headerEnd = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0);
			String head = new String(response, 0, headerEnd < 0 ? response.length : headerEnd,
					StandardCharsets.ISO_8859_1);
			byte[] body = headerEnd < 0 ? new byte[0]
					: java.util.Arrays.copyOfRange(response, headerEnd + 4, response.length);
			int status = Integer.parseInt(head.split(" ", 3)[1]);
			if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
				body = dechunk(body);
			}
			return new Answer(status, head, new String(body, StandardCharsets.UTF_8));
		}
	}

	private static byte[] readAll(InputStream in) throws IOException {
		ByteArrayOutputStream buffer = new ByteArrayOutputStream();
		in.transferTo(buffer);
		return buffer.toByteArray();
	}

	private static int indexOf(byte[] data, byte[] pattern, int from) {
		outer: for (int i = from; i <= data.length - pattern.length; i++) {
			for (int j = 0; j < pattern.length; j++) {
				if (data[i + j] != pattern[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

	private static byte[] dechunk(byte[] chunked) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] crlf = { '\r', '\n' };
		int at = 0;
		while (at < chunked.length) {
			int lineEnd = indexOf(chunked, crlf, at);
			if (lineEnd < 0) {
				break;
			}
			int size = Integer
				.parseInt(new String(chunked, at, lineEnd - at, StandardCharsets.ISO_8859_1).trim().split(";")[0], 16);
			if (size == 0) {
				break;
			}
			out.write(chunked, lineEnd + 2, Math.min(size, chunked.length - lineEnd - 2));
			at = lineEnd + 2 + size + 2;
		}
		return out.toByteArray();
	}

}
