package org.hemefhir.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.hemefhir.security.TokenIdentity;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Provenance;
import org.junit.jupiter.api.Test;

/** The BALP shape of an AuditEvent and the Provenance of a write, without a server. */
class AuditRecordsTest {

	private static AuditRecords.Observed observed(String method, String path, int status, TokenIdentity who,
			List<Exchange.Write> writes) {
		return new AuditRecords.Observed(Instant.parse("2026-01-02T03:04:05Z"), "http", method, path, null, status,
				null, "192.0.2.7", who, Interaction.classify(method, path), writes, null);
	}

	@Test
	void aTokenNamesTheClientAndItsUser() {
		AuditEvent event = AuditRecords.auditEvent(observed("GET", "/fhir/Observation/5", 200,
				new TokenIdentity("lab-system", "alice", "jti-1"), List.of()));
		assertThat(event.getType().getCode()).isEqualTo("rest");
		assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("read");
		assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.R);
		assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
		AuditEvent.AuditEventAgentComponent client = event.getAgent().get(0);
		assertThat(client.getType().getCodingFirstRep().getCode()).isEqualTo("110153");
		assertThat(client.getWho().getIdentifier().getValue()).isEqualTo("lab-system");
		assertThat(client.getNetwork().getAddress()).isEqualTo("192.0.2.7");
		AuditEvent.AuditEventAgentComponent user = event.getAgent().get(1);
		assertThat(user.getType().getCodingFirstRep().getCode()).isEqualTo("UserOauthAgent");
		assertThat(user.getAltId()).isEqualTo("alice");
		assertThat(user.getPolicy().get(0).getValue()).isEqualTo("urn:ietf:params:oauth:jti:jti-1");
		assertThat(event.getEntityFirstRep().getWhat().getReference()).isEqualTo("Observation/5");
	}

	@Test
	void aServerErrorIsASeriousFailureAndWritesNoProvenance() {
		AuditRecords.Observed failed = observed("POST", "/fhir/Observation", 500, null,
				List.of(new Exchange.Write("Observation/9/_history/1", true)));
		AuditEvent event = AuditRecords.auditEvent(failed);
		assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._8);
		assertThat(event.getOutcomeDesc()).isEqualTo("HTTP 500 Internal Server Error");
		assertThat(event.getAgentFirstRep().getName()).isEqualTo("anonymous");
		assertThat(AuditRecords.provenance(failed)).isNull();
	}

	@Test
	void aWriteHasItsProvenanceAndAuditRecordsAreNamedByIdentifier() {
		Provenance provenance = AuditRecords.provenance(observed("PUT", "/fhir/Observation/9", 200,
				new TokenIdentity("ehr", "ehr", null), List.of(new Exchange.Write("Observation/9/_history/3", false),
						new Exchange.Write("AuditEvent/abc/_history/1", false))));
		assertThat(provenance.getTarget().get(0).getReference()).isEqualTo("Observation/9/_history/3");
		assertThat(provenance.getTarget().get(1).getIdentifier().getValue()).isEqualTo("AuditEvent/abc/_history/1");
		assertThat(provenance.getActivity().getCodingFirstRep().getCode()).isEqualTo("UPDATE");
		assertThat(provenance.getAgent()).hasSize(1);
		assertThat(provenance.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("ehr");
	}

}
