package org.hemefhir.course;

import org.hemefhir.OnPostgres;

/**
 * {@link TreatmentDaySearchIT} (the IG's treatment-day search parameter) with PostgreSQL
 * storage.
 */
@OnPostgres
class TreatmentDaySearchOnPostgresIT extends TreatmentDaySearchIT {

}
