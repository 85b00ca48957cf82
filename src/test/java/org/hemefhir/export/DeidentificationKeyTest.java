package org.hemefhir.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.hemefhir.fhirserver.SharedKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without a configured key the pseudonym key is made once and kept in the database, so
 * pseudonyms survive restarts and are the same on every node sharing the database.
 */
class DeidentificationKeyTest {

	@TempDir
	Path dataDir;

	private static JdbcDataSource database() {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL("jdbc:h2:mem:keys-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		return dataSource;
	}

	@Test
	void theKeyIsMadeOnceAndEveryNodeOfTheDatabaseReadsTheSame() {
		JdbcDataSource database = database();
		byte[] first = DeidentifyingExportInterceptor.storedKey(new SharedKeys(database), dataDir);
		byte[] otherNode = DeidentifyingExportInterceptor.storedKey(new SharedKeys(database),
				dataDir.resolve("other-node"));

		assertThat(first).hasSize(32).isEqualTo(otherNode);
		assertThat(dataDir).isEmptyDirectory();
		assertThat(DeidentifyingExportInterceptor.storedKey(new SharedKeys(database()), dataDir)).isNotEqualTo(first);
	}

	@Test
	void aDataDirectoryFromBeforeKeepsItsKey() throws Exception {
		byte[] old = new byte[32];
		old[0] = 7;
		Path file = dataDir.resolve("deidentification.key");
		Files.writeString(file, HexFormat.of().formatHex(old) + "\n");
		JdbcDataSource database = database();

		assertThat(DeidentifyingExportInterceptor.storedKey(new SharedKeys(database), dataDir)).isEqualTo(old);
		Files.delete(file);
		assertThat(DeidentifyingExportInterceptor.storedKey(new SharedKeys(database), dataDir)).isEqualTo(old);
	}

}
