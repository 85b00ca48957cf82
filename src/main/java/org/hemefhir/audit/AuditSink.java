package org.hemefhir.audit;

import java.util.List;
import org.hl7.fhir.r4.model.Resource;

/** Where the writer stores audit records; throws when they could not be stored. */
interface AuditSink {

	void store(List<Resource> records);

}
