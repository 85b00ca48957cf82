package org.hemefhir.audit;

import java.util.List;

/**
 * What the audit trail records of one HL7 v2 message: its type and control id as sent,
 * the ACK code it was answered with, and the resources it wrote (versioned references).
 *
 * @param messageType MSH-9, e.g. {@code ORU^R01}
 * @param controlId MSH-10
 * @param ackCode MSA-1 of the answer: AA, AE or AR
 * @param written the resources stored, e.g. {@code Observation/12/_history/1}
 */
public record Hl7v2Message(String messageType, String controlId, String ackCode, List<String> written) {

	public Hl7v2Message {
		written = written == null ? List.of() : List.copyOf(written);
	}

}
