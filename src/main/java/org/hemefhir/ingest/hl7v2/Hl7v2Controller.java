package org.hemefhir.ingest.hl7v2;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import org.hemefhir.audit.AuditTrail;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /hl7v2}: one ORU^R01 message in the body, its ACK in the response. The ACK
 * says whether the results were stored (AA) or why not (AE/AR with ERR segments), so the
 * answer is 200 either way; 400 only when the body is no HL7 v2 message at all.
 */
@RestController
class Hl7v2Controller {

	static final String HL7_V2 = "application/hl7-v2";

	private final Hl7v2Ingestor ingestor;

	Hl7v2Controller(Hl7v2Ingestor ingestor) {
		this.ingestor = ingestor;
	}

	@PostMapping(path = "/hl7v2", consumes = { HL7_V2, "x-application/hl7-v2+er7", MediaType.TEXT_PLAIN_VALUE },
			produces = { HL7_V2, MediaType.TEXT_PLAIN_VALUE, MediaType.ALL_VALUE })
	ResponseEntity<byte[]> receive(@RequestBody(required = false) byte[] body, HttpServletRequest request) {
		String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
		Hl7v2Ingestor.Reply reply = ingestor.receive(text);
		AuditTrail.hl7v2OverHttp(request, reply.audited());
		return ResponseEntity.status(reply.hl7() ? 200 : 400)
			.contentType(new MediaType("application", "hl7-v2", StandardCharsets.UTF_8))
			.body(reply.ack().getBytes(StandardCharsets.UTF_8));
	}

}
