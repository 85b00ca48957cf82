package org.hemefhir.samples;

import org.hemefhir.OnPostgres;

/**
 * {@link CaseReportIT} (the case and the researchers' queries q1–q10) with PostgreSQL
 * storage.
 */
@OnPostgres
class CaseReportOnPostgresIT extends CaseReportIT {

}
