package org.hemefhir.ingest.hl7v2;

import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.parser.EncodingCharacters;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.hemefhir.ingest.Hl7v2Sender;
import org.hemefhir.audit.AuditTrail;
import org.hemefhir.audit.Hl7v2Message;
import org.hemefhir.ingest.hl7v2.Hl7v2Error.Code;
import org.hemefhir.system.RequestCancelledException;
import org.hemefhir.system.ServerBusyException;
import org.hemefhir.validation.ProfileViolationException;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;

/**
 * Takes one HL7 v2 ORU^R01 message, stores its results in one FHIR transaction and
 * answers with the ACK. Shared by {@code POST /hl7v2} and the MLLP listener.
 *
 * <p>
 * All or nothing: a message with any error stores nothing and is answered {@code AE}
 * (content) or {@code AR} (header, or the server could not process it). Results are
 * conditional updates on their business identifier, so a resend changes nothing and a
 * correction makes a new version. Validation is the same as for a FHIR write: the storage
 * hook refuses what breaks a profile, and its 422 is translated into ERR segments located
 * at the OBX the resource came from.
 */
@Component
public class Hl7v2Ingestor {

	static final Set<String> SUPPORTED_VERSIONS = Set.of("2.3", "2.3.1", "2.4", "2.5", "2.5.1");

	/**
	 * What to answer: the ACK, its code, and whether the input was an HL7 message at all;
	 * and what the audit trail records of it.
	 */
	public record Reply(String ack, AcknowledgmentCode code, boolean hl7, Hl7v2Message audited) {
	}

	private final IFhirSystemDao<Bundle, Meta> systemDao;

	private final StoredData storedData;

	private final Hl7v2Properties properties;

	private final Hl7v2Reader reader;

	private final Hl7v2Ack acks;

	Hl7v2Ingestor(IFhirSystemDao<Bundle, Meta> systemDao, StoredData storedData, Hl7v2Properties properties) {
		this.systemDao = systemDao;
		this.storedData = storedData;
		this.properties = properties;
		PipeParser parser = newParser();
		this.reader = new Hl7v2Reader(parser, properties.timeZone(), AssigningAuthorities.of(properties));
		this.acks = new Hl7v2Ack(parser);
	}

	static PipeParser newParser() {
		HapiContext hapi = new DefaultHapiContext();
		// Every version from 2.3 on is read into the 2.5.1 structures: one mapping for
		// all of them.
		hapi.setModelClassFactory(new CanonicalModelClassFactory("2.5.1"));
		// Content is checked by the mapping, which locates each problem; HAPI's rules
		// would stop at the first.
		hapi.setValidationContext(ValidationContextFactory.noValidation());
		hapi.getParserConfiguration().setIdGenerator(new InMemoryIDGenerator());
		return hapi.getPipeParser();
	}

	/**
	 * Processes one message (segments separated by CR, LF or CRLF) and returns the ACK.
	 */
	public Reply receive(String text) {
		return receive(text, null);
	}

	/**
	 * Processes one message from a known sender: the transaction storing its results
	 * carries the sender ({@link Hl7v2Sender#of}); null for none.
	 */
	public Reply receive(String text, Hl7v2Sender sender) {
		Hl7v2Reader.Read read = reader.read(text, storedData);
		if (read instanceof Hl7v2Reader.Refused refused) {
			return reject(refused.header(), refused.hl7(), refused.error());
		}
		List<String> written = new ArrayList<>();
		Hl7v2Reader.Mapped mapped = (Hl7v2Reader.Mapped) read;
		Hl7v2Ack.Header header = mapped.header();
		OruR01Mapper.Mapping mapping = mapped.mapping();
		List<Hl7v2Error> errors;
		try {
			errors = mapping.errors().isEmpty() ? store(mapping, sender, written) : mapping.errors();
		}
		catch (RequestCancelledException | ServerBusyException e) {
			// nothing stored; an AR tells the sender to send the message again later
			return reject(header, true, Hl7v2Error.at("MSH", 1, null, Code.APPLICATION_INTERNAL_ERROR, e.getMessage()));
		}
		catch (RuntimeException e) {
			return reject(header, true, Hl7v2Reader.internalError(header, e));
		}
		if (errors == null) {
			return new Reply(acks.build(header, AcknowledgmentCode.AA, mapping.warnings()), AcknowledgmentCode.AA, true,
					audited(header, AcknowledgmentCode.AA, written));
		}
		AcknowledgmentCode code = errors.stream().anyMatch(e -> e.code() == Code.APPLICATION_RECORD_LOCKED)
				? AcknowledgmentCode.AR : AcknowledgmentCode.AE;
		return new Reply(acks.build(header, code, errors), code, true, audited(header, code, List.of()));
	}

	/**
	 * Stores the transaction; returns null when stored, else the errors (nothing stored).
	 */
	private List<Hl7v2Error> store(OruR01Mapper.Mapping mapping, Hl7v2Sender sender, List<String> written) {
		if (mapping.transaction().getEntry().isEmpty()) {
			return null; // every result was older than the stored one
		}
		SystemRequestDetails request = new SystemRequestDetails();
		// A copy: HAPI writes ids and resolved references into the bundle it stores, and
		// the mapping's may be stored again without an entry.
		Bundle transaction = mapping.transaction().copy();
		// Lets the validating hook name the entry that fails.
		request.setResource(transaction);
		if (sender != null) {
			sender.attachTo(request);
		}
		AuditTrail.collectWrites(request);
		request.getUserData().put(OlderResultGuard.RESULTS, Boolean.TRUE);
		try {
			systemDao.transaction(request, transaction);
			written.addAll(AuditTrail.writtenBy(request));
			return null;
		}
		catch (OlderResultGuard.OlderThanStored e) {
			// stored newer after the mapping looked: left out as if stored before,
			// the rest stored again without it (each attempt removes one entry)
			int entry = entryOf(mapping, e.result());
			if (entry < 0) {
				throw e;
			}
			mapping.warnings()
				.add(OruR01Mapper.leaveOut(mapping.transaction(), mapping.sources(), entry, e.storedIssued()));
			return store(mapping, sender, written);
		}
		catch (ProfileViolationException e) {
			// each finding at the segment its resource came from
			return e.issues()
				.stream()
				.map(i -> locate(i.entry(), i.element(), Code.DATA_TYPE_ERROR, i.message(), mapping))
				.toList();
		}
		catch (PreconditionFailedException e) {
			return List.of(Hl7v2Error.at("OBX", 1, null, Code.DUPLICATE_KEY_IDENTIFIER,
					"A result identifier matches more than one stored resource: " + e.getMessage()));
		}
		catch (RequestCancelledException | ServerBusyException e) {
			throw e;
		}
		catch (ResourceVersionConflictException | DataIntegrityViolationException e) {
			// HAPI has already run the transaction again
			// (hemefhir.write-conflict-retries); it still collided.
			return List.of(Hl7v2Error.at("MSH", 1, null, Code.APPLICATION_RECORD_LOCKED,
					"A concurrent write of the same results collided with this message; send it again"));
		}
		catch (BaseServerResponseException e) {
			return fromOperationOutcome(e, mapping);
		}
	}

	private static int entryOf(OruR01Mapper.Mapping mapping, String result) {
		List<Bundle.BundleEntryComponent> entries = mapping.transaction().getEntry();
		for (int i = 0; i < entries.size(); i++) {
			if (entries.get(i).getResource() instanceof Observation o && o.getIdentifier()
				.stream()
				.anyMatch(id -> OruR01Mapper.RESULT_ID_SYSTEM.equals(id.getSystem()) && result.equals(id.getValue()))) {
				return i;
			}
		}
		return -1;
	}

	/**
	 * ERR segments from the OperationOutcome of a transaction HAPI refused (e.g. a
	 * reference it cannot resolve).
	 */
	private static List<Hl7v2Error> fromOperationOutcome(BaseServerResponseException e, OruR01Mapper.Mapping mapping) {
		List<Hl7v2Error> errors = new ArrayList<>();
		Code code = e instanceof UnprocessableEntityException ? Code.DATA_TYPE_ERROR : Code.APPLICATION_INTERNAL_ERROR;
		if (e.getOperationOutcome() instanceof OperationOutcome outcome) {
			for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
				if (issue.getSeverity() == OperationOutcome.IssueSeverity.ERROR
						|| issue.getSeverity() == OperationOutcome.IssueSeverity.FATAL) {
					errors.add(locate(null, "", code,
							Optional.ofNullable(issue.getDiagnostics()).orElse(e.getMessage()), mapping));
				}
			}
		}
		if (errors.isEmpty()) {
			errors.add(Hl7v2Error.at("MSH", 1, null, code, e.getMessage()));
		}
		return errors;
	}

	private static Hl7v2Error locate(Integer entry, String element, Code code, String text,
			OruR01Mapper.Mapping mapping) {
		if (entry == null || entry >= mapping.sources().size()) {
			OruR01Mapper.Source first = mapping.sources().isEmpty() ? new OruR01Mapper.Source("MSH", 1)
					: mapping.sources().get(0);
			return Hl7v2Error.at(first.segment(), first.sequence(), null, code, text);
		}
		OruR01Mapper.Source source = mapping.sources().get(entry);
		Integer field = switch (source.segment()) {
			case "OBX" -> switch (element) {
				case "value" -> 5;
				case "code" -> 3;
				case "effective" -> 14;
				case "status" -> 11;
				case "method" -> 17;
				default -> null;
			};
			case "SPM" -> switch (element) {
				case "type" -> 4;
				case "collection" -> 17;
				default -> null;
			};
			case "OBR" -> switch (element) {
				case "type" -> 15;
				case "collection" -> 7;
				default -> null;
			};
			default -> null;
		};
		return Hl7v2Error.at(source.segment(), source.sequence(), field, code, text);
	}

	/** An AR for input that could not be read as a message (e.g. broken MLLP framing). */
	String reject(String reason) {
		return acks.build(Hl7v2Ack.Header.none(), AcknowledgmentCode.AR,
				List.of(Hl7v2Error.at("MSH", 1, null, Code.SEGMENT_SEQUENCE_ERROR, reason)));
	}

	/**
	 * An AR for a message over the size limit, addressed from its MSH when that much
	 * arrived.
	 */
	String tooLarge(String start, long limit) {
		return acks.build(headerOf(start), AcknowledgmentCode.AR,
				List.of(Hl7v2Error.at("MSH", 1, null, Code.APPLICATION_INTERNAL_ERROR,
						"The message exceeds the limit of " + limit
								+ " bytes (hemefhir.max-request-bytes); nothing was stored")));
	}

	/** An AR for a message the server had no room for: send it again later. */
	String busy(String text, String reason) {
		return acks.build(headerOf(text), AcknowledgmentCode.AR,
				List.of(Hl7v2Error.at("MSH", 1, null, Code.APPLICATION_INTERNAL_ERROR, reason)));
	}

	/** MSH-10 as sent, for the log; empty when the message has no usable MSH. */
	static String controlId(String text) {
		String id = headerOf(text).field(10);
		return id.length() > 64 ? id.substring(0, 64) + "..." : id;
	}

	private static Hl7v2Ack.Header headerOf(String text) {
		String message = normalise(text);
		Hl7v2Ack.Header header = message.startsWith("MSH") && message.length() >= 8 ? header(message) : null;
		return header == null ? Hl7v2Ack.Header.none() : header;
	}

	private Reply reject(Hl7v2Ack.Header header, boolean hl7, Hl7v2Error error) {
		return new Reply(acks.build(header, AcknowledgmentCode.AR, List.of(error)), AcknowledgmentCode.AR, hl7,
				audited(header, AcknowledgmentCode.AR, List.of()));
	}

	/** The message as the audit trail records it: MSH-9, MSH-10, the ACK code. */
	private static Hl7v2Message audited(Hl7v2Ack.Header header, AcknowledgmentCode code, List<String> written) {
		Hl7v2Ack.Header h = header == null ? Hl7v2Ack.Header.none() : header;
		String type = h.component(9, 1) + (h.component(9, 2).isEmpty() ? "" : "^" + h.component(9, 2));
		return new Hl7v2Message(type.isEmpty() ? null : type, h.field(10).isEmpty() ? null : h.field(10), code.name(),
				written);
	}

	/**
	 * The raw MSH fields, or null when MSH-1/MSH-2 are not a usable set of delimiters.
	 */
	static Hl7v2Ack.Header header(String message) {
		char fieldSeparator = message.charAt(3);
		int end = message.indexOf('\r');
		String msh = end < 0 ? message : message.substring(0, end);
		if (msh.length() < 8) {
			return null; // "MSH" and a CR: no delimiters at all (found by fuzzing)
		}
		int encodingEnd = msh.indexOf(fieldSeparator, 4);
		String encoding = encodingEnd < 0 ? msh.substring(4) : msh.substring(4, encodingEnd);
		String delimiters = fieldSeparator + encoding;
		if (encoding.length() != 4 || delimiters.chars().distinct().count() != 5
				|| delimiters.chars().anyMatch(c -> Character.isLetterOrDigit(c) || Character.isWhitespace(c))) {
			return null;
		}
		List<String> fields = new ArrayList<>(
				Arrays.asList(msh.split(Pattern.quote(String.valueOf(fieldSeparator)), -1)));
		return new Hl7v2Ack.Header(new EncodingCharacters(fieldSeparator, encoding), fields);
	}

	/**
	 * Segments end in CR; files and HTTP clients often bring LF or CRLF, and a trailing
	 * newline.
	 */
	static String normalise(String text) {
		if (text == null) {
			return "";
		}
		String s = text.startsWith("\uFEFF") ? text.substring(1) : text;
		s = s.replace("\r\n", "\r").replace('\n', '\r').strip();
		return s;
	}

}
