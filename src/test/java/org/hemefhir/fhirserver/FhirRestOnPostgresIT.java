package org.hemefhir.fhirserver;

import org.hemefhir.OnPostgres;

/**
 * {@link FhirRestIT} (CRUD, conditional writes, If-Match, transactions) with PostgreSQL
 * storage.
 */
@OnPostgres
class FhirRestOnPostgresIT extends FhirRestIT {

}
