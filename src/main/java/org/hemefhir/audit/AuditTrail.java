package org.hemefhir.audit;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Resource;
import org.hemefhir.security.TokenIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail's door for other modules. HTTP requests are audited by the trail's own
 * filter; what it cannot see from outside is told here: the HL7 v2 message behind
 * {@code POST /hl7v2}, messages arriving over MLLP, and the resources an HL7 v2 message
 * wrote. Never throws and never blocks: recording is queued for a background writer.
 */
public class AuditTrail {

	private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);

	static final String WRITES = AuditTrail.class.getName() + ".writes";

	private final AuditQueue queue;

	private final boolean enabled;

	/** An audit trail that records nothing, as with hemefhir.audit.enabled=false. */
	public static AuditTrail off() {
		return new AuditTrail(null, false);
	}

	AuditTrail(AuditQueue queue, boolean enabled) {
		this.queue = queue;
		this.enabled = enabled;
	}

	/**
	 * An HL7 v2 message received over MLLP and answered: its AuditEvent, and the
	 * Provenance of what it wrote.
	 * @param senderName the configured sender the connection was attributed to, recorded
	 * as the client
	 * @param senderAddress the sender's IP address
	 */
	public void mllpMessage(String senderName, String senderAddress, Hl7v2Message message) {
		if (!enabled) {
			return;
		}
		try {
			AuditRecords.Observed observed = new AuditRecords.Observed(Instant.now(), "mllp", null, null, null, 200,
					null, senderAddress, new TokenIdentity(senderName, null, null), Interaction.classify(null, null),
					List.of(), message);
			record(observed);
		}
		catch (RuntimeException e) {
			log.error("MLLP message {} not audited: {}", message.controlId(), e.toString());
		}
	}

	/**
	 * The HL7 v2 message behind an HTTP request ({@code POST /hl7v2}), recorded in that
	 * request's AuditEvent.
	 */
	public static void hl7v2OverHttp(HttpServletRequest request, Hl7v2Message message) {
		Exchange exchange = Exchange.of(request);
		if (exchange != null) {
			exchange.hl7v2 = message;
		}
	}

	/**
	 * Starts collecting the resources the server's own request writes (e.g. an HL7 v2
	 * transaction), for {@link #writtenBy}.
	 */
	public static void collectWrites(RequestDetails request) {
		request.getUserData().put(WRITES, Exchange.newWrites());
	}

	/** The versioned references a request started with {@link #collectWrites} wrote. */
	@SuppressWarnings("unchecked")
	public static List<String> writtenBy(RequestDetails request) {
		List<String> written = new ArrayList<>();
		if (request.getUserData().get(WRITES) instanceof Set<?> writes) {
			Exchange.copy((Set<Exchange.Write>) writes).forEach(w -> written.add(w.reference()));
		}
		return written;
	}

	void record(AuditRecords.Observed observed) {
		if (!enabled) {
			return;
		}
		queue.add(AuditRecords.auditEvent(observed));
		Resource provenance = AuditRecords.provenance(observed);
		if (provenance != null) {
			queue.add(provenance);
		}
	}

	boolean enabled() {
		return enabled;
	}

}
