package org.hemefhir.ingest;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Optional;

/**
 * The configured laboratory system an HL7 v2 message came from, as the MLLP listener
 * attributed its connection ({@code hemefhir.hl7v2.mllp.senders}). The transaction that
 * stores the message's results carries it in its {@link RequestDetails}, so any storage
 * hook (an audit trail, Provenance) can read it with {@link #of(RequestDetails)}.
 *
 * @param name the sender's configured name; {@value #ANONYMOUS} when no senders are
 * configured (security off)
 * @param address the IP address the connection came from
 * @param certificateSubject subject DN (RFC 2253) of the client certificate the TLS
 * handshake verified; null without one
 * @param tls whether the connection was TLS
 */
public record Hl7v2Sender(String name, String address, String certificateSubject, boolean tls) {

	/** Key of the sender in {@link RequestDetails#getUserData()}. */
	public static final String USER_DATA_KEY = "hemefhir.hl7v2.sender";

	/** The name of every connection when no senders are configured. */
	public static final String ANONYMOUS = "anonymous";

	/** The sender of the message a request stores; empty for requests from elsewhere. */
	public static Optional<Hl7v2Sender> of(RequestDetails request) {
		if (request == null) {
			return Optional.empty();
		}
		Object sender = request.getUserData().get(USER_DATA_KEY);
		return sender instanceof Hl7v2Sender known ? Optional.of(known) : Optional.empty();
	}

	/** Marks {@code request} as storing a message from this sender. */
	public void attachTo(RequestDetails request) {
		request.getUserData().put(USER_DATA_KEY, this);
	}

	@Override
	public String toString() {
		return name + " (" + address + (certificateSubject == null ? "" : ", " + certificateSubject) + ")";
	}

}
