package org.hemefhir.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores audit records through HAPI's DAOs as the server's own work (a
 * {@link SystemRequestDetails}: no REST interceptors, no authorization, no profile
 * validation), each record an update by id in its own database transaction, so storing a
 * record twice changes nothing. Not one FHIR transaction Bundle per batch: HAPI resolves
 * a Bundle's ids with one query of OR-ed (type, id) pairs, which the embedded H2 answers
 * by reading the whole resource table, so the writer slowed as the data grew and fell
 * behind under sustained load; nor one database transaction around the batch: Hibernate
 * then checks every entity of the batch for changes before each of the many reference
 * lookups. One record at a time, each lookup is one index read. A record whose references
 * no longer resolve (the resource was deleted, or never existed) is stored with those
 * references as identifiers; one that still cannot be stored goes to
 * {@code audit-unstorable.ndjson} with an error in the log, never silently away. Any
 * other failure (the database is unreachable) is thrown, and the writer keeps the batch
 * to try again.
 */
class AuditStore implements AuditSink {

	private static final Logger log = LoggerFactory.getLogger(AuditStore.class);

	private final DaoRegistry daos;

	private final FhirContext fhirContext;

	private final Path unstorable;

	AuditStore(DaoRegistry daos, FhirContext fhirContext, Path unstorable) {
		this.daos = daos;
		this.fhirContext = fhirContext;
		this.unstorable = unstorable;
	}

	@Override
	public void store(List<Resource> records) {
		for (Resource record : records) {
			storeOne(record);
		}
	}

	@SuppressWarnings("unchecked")
	private void storeOne(Resource record) {
		IFhirResourceDao<Resource> dao = (IFhirResourceDao<Resource>) daos.getResourceDao(record.fhirType());
		try {
			dao.update(record, new SystemRequestDetails());
			return;
		}
		catch (BaseServerResponseException e) {
			if (!unresolve(record)) {
				deadLetter(record, e);
				return;
			}
			log.debug("Audit record {} stored with its references as identifiers: {}", record.getIdElement(),
					e.getMessage());
		}
		try {
			dao.update(record, new SystemRequestDetails());
		}
		catch (BaseServerResponseException e) {
			deadLetter(record, e);
		}
	}

	/**
	 * Turns the references of an audit record into identifiers; false if it has none.
	 */
	static boolean unresolve(Resource record) {
		boolean changed = false;
		if (record instanceof AuditEvent event) {
			for (AuditEvent.AuditEventEntityComponent entity : event.getEntity()) {
				if (entity.getWhat().hasReference()) {
					entity.setWhat(AuditRecords.identified(entity.getWhat().getReference()));
					changed = true;
				}
			}
		}
		else if (record instanceof Provenance provenance) {
			for (int i = 0; i < provenance.getTarget().size(); i++) {
				Reference target = provenance.getTarget().get(i);
				if (target.hasReference()) {
					provenance.getTarget().set(i, AuditRecords.identified(target.getReference()));
					changed = true;
				}
			}
		}
		return changed;
	}

	private void deadLetter(Resource record, BaseServerResponseException e) {
		log.error("Audit record {} cannot be stored ({}); kept in {}", record.getIdElement().getIdPart(),
				e.getMessage(), unstorable);
		try {
			Files.createDirectories(unstorable.toAbsolutePath().getParent());
			Files.writeString(unstorable,
					fhirContext.newJsonParser().setPrettyPrint(false).encodeResourceToString(record) + "\n",
					StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		}
		catch (IOException io) {
			log.error("Audit record {} lost: {} cannot be written ({})", record.getIdElement().getIdPart(), unstorable,
					io.getMessage());
		}
	}

}
