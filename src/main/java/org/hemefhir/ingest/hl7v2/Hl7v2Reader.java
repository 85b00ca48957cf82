package org.hemefhir.ingest.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.parser.PipeParser;
import java.time.ZoneId;
import java.util.Optional;
import java.util.UUID;
import org.hemefhir.ingest.hl7v2.Hl7v2Error.Code;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything before storage: the message read, its header checked, its results mapped to
 * FHIR. Never throws: whatever the bytes, the answer is a mapping or the reason for an
 * AR.
 */
final class Hl7v2Reader {

	private static final Logger log = LoggerFactory.getLogger(Hl7v2Reader.class);

	/** What became of the text. */
	sealed interface Read {

	}

	/**
	 * Refused before mapping: answered AR ({@code hl7} false: the input was no HL7
	 * message at all).
	 */
	record Refused(Hl7v2Ack.Header header, boolean hl7, Hl7v2Error error) implements Read {
	}

	/** Mapped (its errors, if any, are content errors: AE). */
	record Mapped(Hl7v2Ack.Header header, OruR01Mapper.Mapping mapping) implements Read {
	}

	private final PipeParser parser;

	private final ZoneId timeZone;

	private final AssigningAuthorities authorities;

	Hl7v2Reader(PipeParser parser, ZoneId timeZone) {
		this(parser, timeZone, AssigningAuthorities.NONE);
	}

	Hl7v2Reader(PipeParser parser, ZoneId timeZone, AssigningAuthorities authorities) {
		this.parser = parser;
		this.timeZone = timeZone;
		this.authorities = authorities;
	}

	Read read(String text, OruR01Mapper.Lookup lookup) {
		String message = Hl7v2Ingestor.normalise(text);
		if (!message.startsWith("MSH") || message.length() < 8) {
			return new Refused(Hl7v2Ack.Header.none(), false, Hl7v2Error.at("MSH", 1, null, Code.SEGMENT_SEQUENCE_ERROR,
					"Not an HL7 v2 message: it must start with an MSH segment (MSH|^~\\&|...)"));
		}
		Hl7v2Ack.Header header = Hl7v2Ingestor.header(message);
		if (header == null) {
			return new Refused(Hl7v2Ack.Header.none(), true, Hl7v2Error.at("MSH", 1, 2, Code.DATA_TYPE_ERROR,
					"MSH-1/MSH-2 do not declare a field separator and four distinct encoding characters"));
		}
		Optional<Hl7v2Error> headerError = checkHeader(header);
		if (headerError.isPresent()) {
			return new Refused(header, true, headerError.get());
		}
		Message parsed;
		try {
			parsed = parser.parse(message);
		}
		catch (HL7Exception e) {
			return new Refused(header, true, parseError(e));
		}
		catch (RuntimeException e) {
			// HAPI's v2 parser fails outright on some segment orders (found by fuzzing):
			// still the message's fault
			return new Refused(header, true, Hl7v2Error.at("MSH", 1, null, Code.SEGMENT_SEQUENCE_ERROR,
					"The message could not be parsed: its segments are not in an order an ORU^R01 allows"));
		}
		try {
			if (!(parsed instanceof ORU_R01 oru)) {
				return new Refused(header, true, Hl7v2Error.at("MSH", 1, 9, Code.UNSUPPORTED_MESSAGE_TYPE,
						"Message structure " + parsed.getName() + " is not ORU_R01"));
			}
			return new Mapped(header, new OruR01Mapper(lookup, timeZone, authorities).map(oru));
		}
		catch (HL7Exception e) {
			return new Refused(header, true, parseError(e));
		}
		catch (RuntimeException e) {
			return new Refused(header, true, internalError(header, e));
		}
	}

	/** An unexpected failure: logged with an incident id that the ERR segment carries. */
	static Hl7v2Error internalError(Hl7v2Ack.Header header, RuntimeException e) {
		String incident = UUID.randomUUID().toString();
		log.error("HL7 v2 message {} could not be processed (incident {})", header.component(10, 1), incident, e);
		return Hl7v2Error.at("MSH", 1, null, Code.APPLICATION_INTERNAL_ERROR,
				"Internal error (incident " + incident + "); nothing was stored, the message may be sent again");
	}

	private static Hl7v2Error parseError(HL7Exception e) {
		var location = e.getLocation();
		String segment = location != null && location.getSegmentName() != null ? location.getSegmentName() : "MSH";
		int sequence = location != null && location.getSegmentRepetition() > 0 ? location.getSegmentRepetition() : 1;
		Integer field = location != null && location.getField() > 0 ? location.getField() : null;
		return Hl7v2Error.at(segment, sequence, field, Code.SEGMENT_SEQUENCE_ERROR,
				"The message could not be parsed: " + e.getMessage());
	}

	/** MSH checks that decide AR: message type, control id, version. */
	private static Optional<Hl7v2Error> checkHeader(Hl7v2Ack.Header header) {
		String type = header.component(9, 1).trim();
		String event = header.component(9, 2).trim();
		if (type.isEmpty()) {
			return Optional
				.of(Hl7v2Error.at("MSH", 1, 9, Code.REQUIRED_FIELD_MISSING, "MSH-9 (message type) is empty"));
		}
		if (!type.equals("ORU")) {
			return Optional.of(Hl7v2Error.at("MSH", 1, 9, Code.UNSUPPORTED_MESSAGE_TYPE,
					"Message type " + type + " is not accepted here; send ORU^R01"));
		}
		if (!event.equals("R01")) {
			return Optional.of(Hl7v2Error.at("MSH", 1, 9, Code.UNSUPPORTED_EVENT_CODE,
					"Trigger event '" + event + "' is not accepted here; send ORU^R01"));
		}
		if (header.component(10, 1).isBlank()) {
			return Optional.of(Hl7v2Error.at("MSH", 1, 10, Code.REQUIRED_FIELD_MISSING,
					"MSH-10 (message control id) is empty: the ACK could not be matched to the message"));
		}
		if (!Hl7v2Ingestor.SUPPORTED_VERSIONS.contains(header.version())) {
			return Optional.of(Hl7v2Error.at("MSH", 1, 12, Code.UNSUPPORTED_VERSION_ID,
					"Version '" + header.version() + "' is not accepted; send 2.3, 2.3.1, 2.4, 2.5 or 2.5.1"));
		}
		return Optional.empty();
	}

}
