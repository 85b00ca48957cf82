package org.hemefhir.course;

import org.hemefhir.OnPostgres;

/** {@link TimelineIT} ($treatment-timeline) with PostgreSQL storage. */
@OnPostgres
class TimelineOnPostgresIT extends TimelineIT {

}
