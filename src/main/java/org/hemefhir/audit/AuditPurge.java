package org.hemefhir.audit;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.api.model.ExpungeOptions;
import ca.uhn.fhir.jpa.api.model.ExpungeOutcome;
import ca.uhn.fhir.jpa.dao.expunge.ExpungeService;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.ParamPrefixEnum;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Meta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the AuditEvents recorded before a cutoff, a batch per transaction, then
 * expunges them so that the database gives the space back (HAPI's expunge service, called
 * directly: the {@code $expunge} operation stays closed to clients).
 */
class AuditPurge {

	private static final Logger log = LoggerFactory.getLogger(AuditPurge.class);

	private static final int EXPUNGE_PAGE = 1000;

	private final DaoRegistry daos;

	private final IFhirSystemDao<Bundle, Meta> systemDao;

	private final ExpungeService expunge;

	private final int batchSize;

	AuditPurge(DaoRegistry daos, IFhirSystemDao<Bundle, Meta> systemDao, ExpungeService expunge, int batchSize) {
		this.daos = daos;
		this.systemDao = systemDao;
		this.expunge = expunge;
		this.batchSize = Math.max(1, batchSize);
	}

	/** Deletes and expunges the AuditEvents recorded before {@code cutoff}; the count. */
	int purgeBefore(Instant cutoff) {
		IFhirResourceDao<?> dao = daos.getResourceDao("AuditEvent");
		int deleted = 0;
		while (true) {
			SearchParameterMap map = SearchParameterMap.newSynchronous()
				.add("date", new DateParam(ParamPrefixEnum.LESSTHAN, Date.from(cutoff)));
			map.setLoadSynchronousUpTo(batchSize);
			IBundleProvider found = dao.search(map, new SystemRequestDetails());
			List<IBaseResource> old = found.getResources(0, batchSize);
			if (old.isEmpty()) {
				break;
			}
			Bundle deletes = new Bundle().setType(Bundle.BundleType.TRANSACTION);
			old.forEach(r -> deletes.addEntry()
				.getRequest()
				.setMethod(Bundle.HTTPVerb.DELETE)
				.setUrl("AuditEvent/" + r.getIdElement().getIdPart()));
			systemDao.transaction(new SystemRequestDetails(), deletes);
			deleted += old.size();
		}
		if (deleted > 0 && expunge != null) {
			int expunged = 0;
			try {
				ExpungeOutcome outcome;
				do {
					ExpungeOptions options = new ExpungeOptions().setExpungeDeletedResources(true)
						.setExpungeOldVersions(true)
						.setLimit(EXPUNGE_PAGE);
					outcome = expunge.expunge("AuditEvent", null, options, new SystemRequestDetails());
					expunged += outcome.getDeletedCount();
				}
				while (outcome.getDeletedCount() >= EXPUNGE_PAGE);
			}
			catch (RuntimeException e) {
				// e.g. another resource still points at one: deleted, kept on disk
				log.warn("Audit purge: deleted AuditEvents not all expunged ({}); tried again next time",
						e.getMessage());
			}
			log.info("Audit purge: {} AuditEvent(s) recorded before {} deleted, {} row(s) expunged", deleted, cutoff,
					expunged);
		}
		return deleted;
	}

}
