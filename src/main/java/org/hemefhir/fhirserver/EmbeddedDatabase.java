package org.hemefhir.fhirserver;

import java.nio.file.Path;

/** The embedded H2 database in file mode under {@code hemefhir.data-dir}. */
public final class EmbeddedDatabase {

	private EmbeddedDatabase() {
	}

	/**
	 * WRITE_DELAY=0: H2 otherwise flushes committed transactions up to 500 ms later, so a
	 * write already answered 2xx could be lost when the process is killed.
	 */
	public static String url(Path dataDir) {
		return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("hemefhir")
				+ ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
	}

}
