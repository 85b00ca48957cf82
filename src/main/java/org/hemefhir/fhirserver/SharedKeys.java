package org.hemefhir.fhirserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Keys the server makes for itself (the de-identification key, the built-in authorization
 * server's signing key), kept in the database: every node sharing the database uses the
 * same one, so pseudonyms and tokens do not depend on the node that made them, and a
 * backup of the database carries them.
 */
@Component
public class SharedKeys {

	public static final String TABLE = "hemefhir_shared_key";

	/**
	 * The keys, each with the file in the data directory that held it before keys were
	 * kept in the database.
	 */
	public enum Key {

		DEIDENTIFICATION("deidentification", "deidentification.key"),

		TOKEN_SIGNING("token-signing", "token-signing-key.json");

		private final String name;

		private final String legacyFile;

		Key(String name, String legacyFile) {
			this.name = name;
			this.legacyFile = legacyFile;
		}

	}

	private final JdbcTemplate jdbc;

	public SharedKeys(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
		try {
			jdbc.execute("CREATE TABLE IF NOT EXISTS " + TABLE
					+ " (key_name VARCHAR(100) NOT NULL PRIMARY KEY, key_value VARCHAR(16000) NOT NULL)");
		}
		catch (DataAccessException anotherNode) {
			// PostgreSQL: a node creating the table at the same moment wins, the other's
			// IF NOT EXISTS does not see it yet; the table is there all the same
			jdbc.queryForObject("SELECT COUNT(*) FROM " + TABLE, Integer.class);
		}
	}

	/**
	 * The key stored in the database. When there is none, the one a data directory from
	 * before holds is stored, else a fresh one; unless another node stores one at the
	 * same moment: then that node's key is the one returned, on both.
	 */
	public String getOrCreate(Key key, Path dataDir, Supplier<String> fresh) {
		String stored = read(key.name);
		if (stored != null) {
			return stored;
		}
		String legacy = legacy(key, dataDir);
		try {
			jdbc.update("INSERT INTO " + TABLE + " (key_name, key_value) VALUES (?, ?)", key.name,
					legacy != null ? legacy : fresh.get());
		}
		catch (DataIntegrityViolationException anotherNode) {
			// its key is the one read below
		}
		return read(key.name);
	}

	/**
	 * Stores the keys a data directory from before holds in files, where none is stored
	 * yet (moving such a directory's database elsewhere); the names of those stored.
	 */
	public List<String> adoptFiles(Path dataDir) {
		List<String> adopted = new ArrayList<>();
		for (Key key : Key.values()) {
			if (read(key.name) == null && legacy(key, dataDir) != null) {
				getOrCreate(key, dataDir, () -> null);
				adopted.add(key.legacyFile);
			}
		}
		return adopted;
	}

	private static String legacy(Key key, Path dataDir) {
		Path file = dataDir.resolve(key.legacyFile);
		try {
			return Files.exists(file) ? Files.readString(file).trim() : null;
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read the key in " + file, e);
		}
	}

	private String read(String name) {
		return jdbc.query("SELECT key_value FROM " + TABLE + " WHERE key_name = ?",
				rs -> rs.next() ? rs.getString(1) : null, name);
	}

}
