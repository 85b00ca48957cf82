package org.hemefhir.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without a configured key the pseudonym key is made once and kept, so pseudonyms survive
 * restarts.
 */
class DeidentificationKeyTest {

	@TempDir
	Path dataDir;

	@Test
	void theKeyIsCreatedOnceKeptPrivateAndReadBackUnchanged() throws Exception {
		Path file = dataDir.resolve(DeidentifyingExportInterceptor.KEY_FILE);
		byte[] first = DeidentifyingExportInterceptor.storedKey(file);
		byte[] again = DeidentifyingExportInterceptor.storedKey(file);

		assertThat(first).hasSize(32).isEqualTo(again);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
		assertThat(DeidentifyingExportInterceptor
			.storedKey(dataDir.resolve("other").resolve(DeidentifyingExportInterceptor.KEY_FILE))).isNotEqualTo(first);
	}

}
