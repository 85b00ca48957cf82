package org.hemefhir.ingest.hl7v2;

import org.hemefhir.OnPostgres;

/**
 * {@link Hl7v2IngestIT} (HL7 v2 results, resends, corrections) with PostgreSQL storage.
 */
@OnPostgres
class Hl7v2IngestOnPostgresIT extends Hl7v2IngestIT {

}
