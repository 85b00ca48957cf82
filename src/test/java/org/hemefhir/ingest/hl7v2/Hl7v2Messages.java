package org.hemefhir.ingest.hl7v2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The sample messages of {@code sample-bundles/hl7v2/}, re-addressed for a test, and ACKs
 * read back.
 */
public final class Hl7v2Messages {

	static final Path DIR = Path.of("sample-bundles", "hl7v2");

	private Hl7v2Messages() {
	}

	static String sample(String name) {
		try {
			return Hl7v2Ingestor.normalise(Files.readString(DIR.resolve(name)));
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/**
	 * The sample for the test patient {@code urn:test:mrn|mrn}, with {@code prefix}
	 * before its control id, filler order numbers and specimen ids, so that it shares no
	 * identifier with other tests.
	 */
	public static String forPatient(String name, String mrn, String prefix) {
		return readdress(sample(name), mrn, prefix);
	}

	static String readdress(String message, String mrn, String prefix) {
		List<String> out = new ArrayList<>();
		for (String segment : message.split("\r")) {
			String[] fields = segment.split("\\|", -1);
			switch (fields[0]) {
				case "MSH" -> fields[9] = prefix + fields[9];
				case "PID" -> {
					if (mrn != null) {
						fields[3] = mrn + "^^^&urn:test:mrn&URI^MR";
					}
				}
				case "OBR" -> fields[3] = prefix + fields[3];
				case "SPM" -> fields[2] = prefix + fields[2];
				default -> {
				}
			}
			out.add(String.join("|", fields));
		}
		return String.join("\r", out);
	}

	/**
	 * One segment of a message or ACK, split into fields (index n is field n; for MSH,
	 * n-1).
	 */
	static Optional<String[]> segment(String message, String name) {
		return Arrays.stream(message.split("\r"))
			.filter(s -> s.startsWith(name + "|"))
			.findFirst()
			.map(s -> s.split("\\|", -1));
	}

	public static String ackCode(String ack) {
		return segment(ack, "MSA").orElseThrow()[1];
	}

	/** ERR-2 of every ERR segment, e.g. "OBX^2^5". */
	static List<String> errorLocations(String ack) {
		return Arrays.stream(ack.split("\r"))
			.filter(s -> s.startsWith("ERR|"))
			.map(s -> s.split("\\|", -1)[2])
			.toList();
	}

	/** ERR-8 of every ERR segment. */
	static List<String> errorMessages(String ack) {
		return Arrays.stream(ack.split("\r"))
			.filter(s -> s.startsWith("ERR|"))
			.map(s -> s.split("\\|", -1)[8])
			.toList();
	}

}
