package org.hemefhir.cohort;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.file.Path;

/** Generated courses as NDJSON files, for tests outside this package. */
public final class GeneratedNdjson {

	private GeneratedNdjson() {
	}

	/**
	 * Writes the NDJSON files of {@code patients} generated courses and their
	 * manifest.json (the files in a loadable order) into {@code dir}.
	 * @return the number of resources written
	 */
	public static long write(long seed, int patients, Path dir) throws IOException {
		return new CohortWriter(FhirContext.forR4Cached()).write(seed, patients, dir, CohortWriter.Format.NDJSON);
	}

}
