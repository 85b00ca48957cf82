package org.hemefhir.course;

import org.hemefhir.OnPostgres;

/** {@link OutcomesIT} ($outcomes) with PostgreSQL storage. */
@OnPostgres
class OutcomesOnPostgresIT extends OutcomesIT {

}
