package org.hemefhir.ingest.hl7v2;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.message.ACK;
import ca.uhn.hl7v2.model.v251.segment.ERR;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.parser.EncodingCharacters;
import ca.uhn.hl7v2.parser.PipeParser;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds the ACK of a message from its raw MSH, so that a message HAPI could not parse
 * still gets one. The ACK carries the message's own version (MSH-12) and echoes its
 * control id (MSA-2). Errors are written as ERR-2 location, ERR-3 code (table 0357),
 * ERR-4 severity and ERR-8 text; receivers before v2.5 read ERR-1, so for them ERR-1
 * carries location and code as well.
 */
final class Hl7v2Ack {

	private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss.SSSZ");

	private static final AtomicLong SEQUENCE = new AtomicLong();

	private static final int MAX_TEXT = 1000;

	private final PipeParser parser;

	Hl7v2Ack(PipeParser parser) {
		this.parser = parser;
	}

	/**
	 * The fields of a message's MSH as sent, read without HAPI (the message may not
	 * parse).
	 */
	record Header(EncodingCharacters encoding, List<String> fields) {
		/**
		 * MSH-n as sent (MSH-1 is the field separator, so MSH-n is {@code fields[n-1]}).
		 */
		String field(int n) {
			int i = n - 1;
			return i > 0 && i < fields.size() ? fields.get(i) : "";
		}

		String component(int n, int component) {
			String[] parts = field(n)
				.split(java.util.regex.Pattern.quote(String.valueOf(encoding.getComponentSeparator())), -1);
			return component - 1 < parts.length ? parts[component - 1] : "";
		}

		/** The first component of MSH-12, e.g. "2.5.1". */
		String version() {
			return component(12, 1).trim();
		}

		/** A header with nothing in it, for input that has no MSH at all. */
		static Header none() {
			return new Header(EncodingCharacters.defaultInstance(), List.of("MSH", "^~\\&"));
		}
	}

	String build(Header header, AcknowledgmentCode code, List<Hl7v2Error> errors) {
		try {
			ACK ack = new ACK();
			ack.setParser(parser);
			MSH msh = ack.getMSH();
			msh.getFieldSeparator().setValue("|");
			msh.getEncodingCharacters().setValue("^~\\&");
			EncodingCharacters sent = header.encoding();
			// The answer goes back: our side is the receiver of the message, the sender
			// is its receiver.
			copy(msh.getSendingApplication(), header.field(5), sent);
			copy(msh.getSendingFacility(), header.field(6), sent);
			copy(msh.getReceivingApplication(), header.field(3), sent);
			copy(msh.getReceivingFacility(), header.field(4), sent);
			msh.getDateTimeOfMessage().getTime().setValue(TIMESTAMP.format(ZonedDateTime.now()));
			String version = Hl7v2Ingestor.SUPPORTED_VERSIONS.contains(header.version()) ? header.version() : "2.5.1";
			msh.getMessageType().getMessageCode().setValue("ACK");
			msh.getMessageType()
				.getTriggerEvent()
				.setValue(header.component(9, 2).isBlank() ? "R01" : header.component(9, 2));
			if (!version.equals("2.3")) {
				msh.getMessageType().getMessageStructure().setValue("ACK");
			}
			msh.getMessageControlID().setValue("ACK" + System.currentTimeMillis() + "-" + SEQUENCE.incrementAndGet());
			copy(msh.getProcessingID(), header.field(11).isBlank() ? "P" : header.field(11), sent);
			msh.getVersionID().getVersionID().setValue(version);

			ack.getMSA().getAcknowledgmentCode().setValue(code.name());
			ack.getMSA().getMessageControlID().setValue(header.component(10, 1));
			if (!errors.isEmpty()) {
				ack.getMSA().getTextMessage().setValue(clip(errors.get(0).message(), 80));
			}
			boolean before25 = version.startsWith("2.3") || version.startsWith("2.4");
			for (int i = 0; i < errors.size(); i++) {
				Hl7v2Error error = errors.get(i);
				ERR err = ack.getERR(i);
				if (before25) {
					var eld = err.getErrorCodeAndLocation(0);
					eld.getSegmentID().setValue(error.segment());
					eld.getSegmentSequence().setValue(String.valueOf(error.sequence()));
					if (error.field() != null) {
						eld.getFieldPosition().setValue(String.valueOf(error.field()));
					}
					eld.getCodeIdentifyingError().getIdentifier().setValue(error.code().value);
					eld.getCodeIdentifyingError().getText().setValue(clip(error.message(), MAX_TEXT));
					eld.getCodeIdentifyingError().getNameOfCodingSystem().setValue("HL70357");
				}
				var location = err.getErrorLocation(0);
				location.getSegmentID().setValue(error.segment());
				location.getSegmentSequence().setValue(String.valueOf(error.sequence()));
				if (error.field() != null) {
					location.getFieldPosition().setValue(String.valueOf(error.field()));
				}
				err.getHL7ErrorCode().getIdentifier().setValue(error.code().value);
				err.getHL7ErrorCode().getText().setValue(error.code().text);
				err.getHL7ErrorCode().getNameOfCodingSystem().setValue("HL70357");
				err.getSeverity().setValue(error.warning() ? "W" : "E");
				err.getUserMessage().setValue(clip(error.message(), MAX_TEXT));
			}
			return parser.encode(ack);
		}
		catch (HL7Exception e) {
			throw new IllegalStateException("Could not build an ACK", e);
		}
	}

	private void copy(ca.uhn.hl7v2.model.Type target, String raw, EncodingCharacters encoding) throws HL7Exception {
		if (raw != null && !raw.isBlank()) {
			parser.parse(target, raw, encoding);
		}
	}

	private static String clip(String text, int max) {
		String single = text == null ? "" : text.replace('\r', ' ').replace('\n', ' ');
		return single.length() <= max ? single : single.substring(0, max - 3) + "...";
	}

}
