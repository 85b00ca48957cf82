package org.hemefhir.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.hemefhir.security.TokenIdentity;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentNetworkType;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;

/**
 * Builds the AuditEvent of a request and the Provenance of its writes, following IHE
 * Basic Audit Log Patterns (BALP): the client as source agent, the token's user as OAuth
 * user agent, this server as destination agent and observer, the resource, the query and
 * the patient as entities. Plain data in, FHIR out; no database.
 */
final class AuditRecords {

	static final String EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type";

	static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";

	static final String INTERACTION = "http://hl7.org/fhir/restful-interaction";

	static final String USER_AGENT_TYPES = "https://profiles.ihe.net/ITI/BALP/CodeSystem/UserAgentTypes";

	static final String ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type";

	static final String OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role";

	static final String SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type";

	static final String DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation";

	static final String PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";

	static final String V2_MESSAGE_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0076";

	static final String V2_EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0003";

	/** Who sent a request when no token says it: security is off. */
	static final String ANONYMOUS = "anonymous";

	static final String SERVER = "HemeFHIR";

	/** Entities per event at most: a large transaction names its first ones. */
	private static final int MAX_ENTITIES = 100;

	/** A user signing in (DICOM User Authentication, Login), as BALP records it. */
	static final String LOGIN_PATH = "/login";

	/**
	 * The authorization server's endpoints: named in the subtype (as an operation is), so
	 * token issuance and authorization requests are found by it.
	 */
	private static final Set<String> AUTHORIZATION_PATHS = Set.of("/oauth2/token", "/oauth2/authorize");

	/**
	 * One request as observed at its end.
	 *
	 * @param transport {@code http} or {@code mllp}
	 */
	record Observed(Instant recorded, String transport, String method, String path, String query, int status,
			String failure, String remoteAddress, TokenIdentity identity, Interaction interaction,
			Collection<Exchange.Write> writes, Hl7v2Message hl7v2) {
	}

	private AuditRecords() {
	}

	static AuditEvent auditEvent(Observed o) {
		AuditEvent event = new AuditEvent();
		event.setId(UUID.randomUUID().toString());
		Interaction what = o.interaction();
		if (o.hl7v2() != null) {
			event.setType(new Coding(DCM, "110107", "Import"));
			String[] type = o.hl7v2().messageType() == null ? new String[0] : o.hl7v2().messageType().split("\\^");
			if (type.length > 0 && !type[0].isBlank()) {
				event.addSubtype(new Coding(V2_MESSAGE_TYPE, type[0], null));
			}
			if (type.length > 1 && !type[1].isBlank()) {
				event.addSubtype(new Coding(V2_EVENT_TYPE, type[1], null));
			}
			event.setAction(AuditEventAction.C);
		}
		else if (LOGIN_PATH.equals(o.path()) && "POST".equals(o.method())) {
			event.setType(new Coding(DCM, "110114", "User Authentication"));
			event.addSubtype(new Coding(DCM, "110122", "Login"));
			event.setAction(AuditEventAction.E);
		}
		else {
			event.setType(new Coding(EVENT_TYPE, "rest", "RESTful Operation"));
			if (AUTHORIZATION_PATHS.contains(o.path())) {
				event.addSubtype(new Coding(null, o.path(), null));
			}
			if (what.code() != null) {
				event.addSubtype(new Coding(INTERACTION, what.code(), null));
			}
			if (what.operation() != null) {
				// the operation's name, searchable as subtype=$export
				event.addSubtype(new Coding(null, what.operation(), null));
			}
			event.setAction(AuditEventAction.fromCode(what.action()));
		}
		event.setRecorded(Date.from(o.recorded()));
		event.setOutcome(outcome(o));
		String description = outcomeDescription(o);
		if (description != null) {
			event.setOutcomeDesc(description);
		}
		agents(event, o);
		event.getSource()
			.setSite(SERVER)
			.setObserver(new Reference().setDisplay(SERVER))
			.addType(new Coding(SOURCE_TYPE, "4", "Application Server"));
		entities(event, o);
		return event;
	}

	static AuditEventOutcome outcome(Observed o) {
		if (o.status() >= 500) {
			return AuditEventOutcome._8;
		}
		if (o.status() >= 400) {
			return AuditEventOutcome._4;
		}
		if (o.hl7v2() != null && !"AA".equals(o.hl7v2().ackCode())) {
			return AuditEventOutcome._4;
		}
		return AuditEventOutcome._0;
	}

	private static String outcomeDescription(Observed o) {
		String text = o.failure();
		if (o.hl7v2() != null && o.hl7v2().ackCode() != null) {
			String ack = "ACK " + o.hl7v2().ackCode();
			text = text == null ? ack : ack + ": " + text;
		}
		if (text == null && o.status() >= 400) {
			org.springframework.http.HttpStatus status = org.springframework.http.HttpStatus.resolve(o.status());
			text = "HTTP " + o.status() + (status == null ? "" : " " + status.getReasonPhrase());
		}
		return text == null ? null : text.length() > 1000 ? text.substring(0, 1000) : text;
	}

	private static void agents(AuditEvent event, Observed o) {
		TokenIdentity identity = o.identity();
		String client = identity == null || identity.clientId() == null ? ANONYMOUS : identity.clientId();
		AuditEventAgentComponent source = event.addAgent()
			.setType(new CodeableConcept(new Coding(DCM, "110153", "Source Role ID")))
			.setWho(new Reference().setIdentifier(new Identifier().setValue(client)).setDisplay(client))
			.setName(client)
			.setRequestor(identity == null || identity.subject() == null);
		if (o.remoteAddress() != null) {
			source.getNetwork().setAddress(o.remoteAddress()).setType(AuditEventAgentNetworkType._2);
		}
		if (identity != null && identity.subject() != null) {
			AuditEventAgentComponent user = event.addAgent()
				.setType(new CodeableConcept(new Coding(USER_AGENT_TYPES, "UserOauthAgent", "User OAuth Agent")))
				.setWho(new Reference().setIdentifier(new Identifier().setValue(identity.subject())))
				.setAltId(identity.subject())
				.setName(identity.subject())
				.setRequestor(true);
			if (identity.tokenId() != null) {
				user.addPolicy("urn:ietf:params:oauth:jti:" + identity.tokenId());
			}
		}
		event.addAgent()
			.setType(new CodeableConcept(new Coding(DCM, "110152", "Destination Role ID")))
			.setWho(new Reference().setDisplay(SERVER))
			.setName(SERVER)
			.setRequestor(false);
	}

	private static void entities(AuditEvent event, Observed o) {
		Interaction what = o.interaction();
		// a reference must resolve when stored: name the addressed resource only when
		// the request shows it exists (the writer falls back to an identifier anyway)
		boolean exists = o.status() < 400 || o.status() == 401 || o.status() == 403;
		if (o.hl7v2() != null) {
			AuditEventEntityComponent message = event.addEntity()
				.setType(new Coding(ENTITY_TYPE, "2", "System Object"))
				.setRole(new Coding(OBJECT_ROLE, "20", "Job"))
				.setName(o.hl7v2().messageType());
			message.setWhat(new Reference().setIdentifier(new Identifier().setValue(o.hl7v2().controlId()))
				.setDisplay("HL7 v2 " + o.hl7v2().messageType() + " " + o.hl7v2().controlId()));
			message.setDescription(o.transport().toUpperCase(java.util.Locale.ROOT) + " from " + o.remoteAddress());
		}
		else if (what.resourceType() != null && what.id() != null && !"Patient".equals(what.resourceType())) {
			String reference = what.resourceType() + "/" + what.id()
					+ (what.version() == null ? "" : "/_history/" + what.version());
			event.addEntity()
				.setType(new Coding(ENTITY_TYPE, "2", "System Object"))
				.setRole(new Coding(OBJECT_ROLE, "4", "Domain Resource"))
				.setWhat(exists ? reference(reference) : identified(reference));
		}
		if (o.query() != null && !o.query().isEmpty()) {
			event.addEntity()
				.setType(new Coding(ENTITY_TYPE, "2", "System Object"))
				.setRole(new Coding(OBJECT_ROLE, "24", "Query"))
				.setDescription(o.method() + " " + o.path())
				.setQuery(o.query().getBytes(StandardCharsets.UTF_8));
		}
		Set<String> patients = what.patients(o.query());
		for (String patient : patients) {
			event.addEntity()
				.setType(new Coding(ENTITY_TYPE, "1", "Person"))
				.setRole(new Coding(OBJECT_ROLE, "1", "Patient"))
				.setWhat(exists ? new Reference("Patient/" + patient) : identified("Patient/" + patient));
		}
		List<String> written = written(o);
		for (String reference : written) {
			if (event.getEntity().size() >= MAX_ENTITIES) {
				break;
			}
			event.addEntity()
				.setType(new Coding(ENTITY_TYPE, "2", "System Object"))
				.setRole(new Coding(OBJECT_ROLE, "4", "Domain Resource"))
				.setWhat(reference(reference));
		}
	}

	static List<String> written(Observed o) {
		if (o.hl7v2() != null) {
			return o.hl7v2().written();
		}
		return o.writes() == null ? List.of() : o.writes().stream().map(Exchange.Write::reference).toList();
	}

	/**
	 * A reference to a resource, unless it is an audit record: audit records point at
	 * each other by identifier, so that the purge can expunge them.
	 */
	static Reference reference(String reference) {
		return reference.startsWith("AuditEvent/") ? identified(reference) : new Reference(reference);
	}

	/** A reference that need not resolve: the address as identifier. */
	static Reference identified(String reference) {
		return new Reference().setIdentifier(new Identifier().setValue(reference)).setDisplay(reference);
	}

	/**
	 * The Provenance of a request's writes, or null when it wrote nothing (or failed).
	 */
	static Provenance provenance(Observed o) {
		List<String> written = written(o);
		if (written.isEmpty() || o.status() >= 400 || outcome(o) != AuditEventOutcome._0) {
			return null;
		}
		Provenance provenance = new Provenance();
		provenance.setId(UUID.randomUUID().toString());
		written.forEach(reference -> provenance.addTarget(reference(reference)));
		provenance.setRecorded(Date.from(o.recorded()));
		if (o.hl7v2() != null) {
			String[] type = o.hl7v2().messageType() == null ? new String[0] : o.hl7v2().messageType().split("\\^");
			CodeableConcept activity = new CodeableConcept()
				.setText("HL7 v2 " + o.hl7v2().messageType() + " over " + o.transport().toUpperCase());
			if (type.length > 1 && !type[1].isBlank()) {
				activity.addCoding(new Coding(V2_EVENT_TYPE, type[1], null));
			}
			provenance.setActivity(activity);
			provenance.addEntity()
				.setRole(Provenance.ProvenanceEntityRole.SOURCE)
				.setWhat(identified(o.hl7v2().controlId() == null ? "" : o.hl7v2().controlId())
					.setDisplay("HL7 v2 " + o.hl7v2().messageType() + " " + o.hl7v2().controlId()));
		}
		else {
			boolean allCreated = o.writes().stream().allMatch(Exchange.Write::created);
			boolean allUpdated = o.writes().stream().noneMatch(Exchange.Write::created);
			provenance.setActivity(allCreated ? concept(DATA_OPERATION, "CREATE", "create")
					: allUpdated ? concept(DATA_OPERATION, "UPDATE", "revise")
							: new CodeableConcept().setText("create and update (" + o.interaction().code() + ")"));
		}
		TokenIdentity identity = o.identity();
		String client = identity == null || identity.clientId() == null ? ANONYMOUS : identity.clientId();
		provenance.addAgent()
			.setType(concept(PARTICIPANT_TYPE, "author", "Author"))
			.setWho(new Reference().setIdentifier(new Identifier().setValue(client)).setDisplay(client));
		if (identity != null && identity.subject() != null && !identity.subject().equals(client)) {
			provenance.addAgent()
				.setType(concept(PARTICIPANT_TYPE, "enterer", "Enterer"))
				.setWho(new Reference().setIdentifier(new Identifier().setValue(identity.subject()))
					.setDisplay(identity.subject()));
		}
		return provenance;
	}

	private static CodeableConcept concept(String system, String code, String display) {
		return new CodeableConcept(new Coding(system, code, display));
	}

}
