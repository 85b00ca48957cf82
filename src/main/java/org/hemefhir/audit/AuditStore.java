package org.hemefhir.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores audit records through HAPI's DAOs as the server's own work (a
 * {@link SystemRequestDetails}: no REST interceptors, no authorization, no profile
 * validation). A batch is one transaction of updates by id, so storing a record twice
 * changes nothing. If the transaction fails, each record is stored on its own; one whose
 * references no longer resolve (the resource was deleted, or never existed) is stored
 * with those references as identifiers; one that still cannot be stored goes to
 * {@code audit-unstorable.ndjson} with an error in the log, never silently away. Any
 * other failure (the database is unreachable) is thrown, and the writer keeps the batch
 * to try again.
 */
class AuditStore implements AuditSink {

	private static final Logger log = LoggerFactory.getLogger(AuditStore.class);

	private final IFhirSystemDao<Bundle, Meta> systemDao;

	private final DaoRegistry daos;

	private final FhirContext fhirContext;

	private final Path unstorable;

	AuditStore(IFhirSystemDao<Bundle, Meta> systemDao, DaoRegistry daos, FhirContext fhirContext, Path unstorable) {
		this.systemDao = systemDao;
		this.daos = daos;
		this.fhirContext = fhirContext;
		this.unstorable = unstorable;
	}

	@Override
	public void store(List<Resource> records) {
		if (records.isEmpty()) {
			return;
		}
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Resource record : records) {
			transaction.addEntry()
				.setResource(record)
				.getRequest()
				.setMethod(Bundle.HTTPVerb.PUT)
				.setUrl(record.fhirType() + "/" + record.getIdElement().getIdPart());
		}
		try {
			systemDao.transaction(new SystemRequestDetails(), transaction);
			return;
		}
		catch (BaseServerResponseException e) {
			// refused, not failed: some record in it cannot be stored as it is
			log.debug("Audit batch of {} not stored as one transaction ({}); storing one by one", records.size(),
					e.getMessage());
		}
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
