package org.hemefhir.cli;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Blob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.hemefhir.fhirserver.SchemaMigration;

/**
 * Copies the embedded (H2) database into a PostgreSQL database whose schema HAPI's
 * migrator made for the same release: every table row for row, so ids, versions, their
 * times and the search indexes are the same, then the sequences past what the source
 * handed out. One transaction on the target: a failure leaves it as it was. Foreign keys
 * are dropped for the copy (HAPI's tables refer to each other in a cycle) and added again
 * before the commit, which checks every reference.
 */
final class TableCopy {

	/** What was copied and what was compared. */
	record Report(Map<String, Long> rows, List<String> notCopied, int sequences, Map<String, String> resources,
			int sampledVersions) {
	}

	private static final int BATCH = 500;

	private static final int SAMPLE = 200;

	private final DataSource from;

	private final DataSource to;

	TableCopy(DataSource from, DataSource to) {
		this.from = from;
		this.to = to;
	}

	Report copy() throws SQLException {
		try (Connection source = from.getConnection(); Connection target = to.getConnection()) {
			source.setReadOnly(true);
			target.setAutoCommit(false);
			long stored = count(target, "hfj_resource");
			if (stored > 0) {
				throw new IllegalStateException("The target database already holds " + stored
						+ " resources; migrate-data fills an empty one only");
			}
			Map<String, Map<String, Integer>> targetTables = columnsOfTables(target);
			Map<String, Long> rows = new TreeMap<>();
			List<String> notCopied = new ArrayList<>();
			List<String[]> foreignKeys = dropForeignKeys(target);
			for (String table : sourceTables(source)) {
				Map<String, Integer> columns = targetTables.get(table.toLowerCase(Locale.ROOT));
				if (columns == null) {
					notCopied.add(table);
					continue;
				}
				rows.put(table, copyTable(source, target, table, columns));
			}
			try (Statement statement = target.createStatement()) {
				for (String[] key : foreignKeys) {
					statement.execute("ALTER TABLE " + key[0] + " ADD CONSTRAINT " + key[1] + " " + key[2]);
				}
			}
			int sequences = copySequences(source, target);
			target.commit();
			return new Report(rows, notCopied, sequences, compare(source, target, rows),
					sampledVersions(source, target));
		}
	}

	private static List<String> sourceTables(Connection source) throws SQLException {
		List<String> tables = new ArrayList<>();
		try (Statement statement = source.createStatement();
				ResultSet rs = statement.executeQuery("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"
						+ " WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")) {
			while (rs.next()) {
				// the target has its own record of the migration tasks that made it
				if (!SchemaMigration.TABLE.equalsIgnoreCase(rs.getString(1))) {
					tables.add(rs.getString(1));
				}
			}
		}
		return tables;
	}

	/** Each table of the target's schema with its columns and their JDBC types. */
	private static Map<String, Map<String, Integer>> columnsOfTables(Connection target) throws SQLException {
		Map<String, Map<String, Integer>> tables = new LinkedHashMap<>();
		DatabaseMetaData meta = target.getMetaData();
		try (ResultSet rs = meta.getColumns(null, target.getSchema(), "%", "%")) {
			while (rs.next()) {
				tables.computeIfAbsent(rs.getString("TABLE_NAME"), t -> new LinkedHashMap<>())
					.put(rs.getString("COLUMN_NAME"),
							"oid".equals(rs.getString("TYPE_NAME")) ? Integer.MIN_VALUE : rs.getInt("DATA_TYPE"));
			}
		}
		return tables;
	}

	/** Drops the target schema's foreign keys; each as table, name and definition. */
	private static List<String[]> dropForeignKeys(Connection target) throws SQLException {
		List<String[]> keys = new ArrayList<>();
		try (Statement statement = target.createStatement()) {
			try (ResultSet rs = statement
				.executeQuery("SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)"
						+ " FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace")) {
				while (rs.next()) {
					keys.add(new String[] { rs.getString(1), rs.getString(2), rs.getString(3) });
				}
			}
			for (String[] key : keys) {
				statement.execute("ALTER TABLE " + key[0] + " DROP CONSTRAINT " + key[1]);
			}
		}
		return keys;
	}

	private static long copyTable(Connection source, Connection target, String table, Map<String, Integer> columns)
			throws SQLException {
		try (Statement read = source.createStatement()) {
			read.setFetchSize(BATCH);
			try (ResultSet rs = read.executeQuery("SELECT * FROM \"" + table + "\"")) {
				ResultSetMetaData meta = rs.getMetaData();
				List<String> names = new ArrayList<>();
				for (int i = 1; i <= meta.getColumnCount(); i++) {
					String name = meta.getColumnName(i).toLowerCase(Locale.ROOT);
					if (!columns.containsKey(name)) {
						throw new IllegalStateException("Column " + table + "." + meta.getColumnName(i)
								+ " has no counterpart in the target: are both at this release's schema?");
					}
					names.add(name);
				}
				try (Statement clear = target.createStatement()) {
					// rows the migration itself seeds (resource types) come from the
					// source
					clear.execute("DELETE FROM " + table.toLowerCase(Locale.ROOT));
				}
				String insert = "INSERT INTO " + table.toLowerCase(Locale.ROOT) + " (" + String.join(", ", names)
						+ ") VALUES (" + "?, ".repeat(names.size() - 1) + "?)";
				long copied = 0;
				try (PreparedStatement write = target.prepareStatement(insert)) {
					while (rs.next()) {
						for (int i = 1; i <= names.size(); i++) {
							bind(write, i, columns.get(names.get(i - 1)), rs);
						}
						write.addBatch();
						if (++copied % BATCH == 0) {
							write.executeBatch();
						}
					}
					write.executeBatch();
				}
				return copied;
			}
		}
	}

	private static void bind(PreparedStatement write, int i, int type, ResultSet rs) throws SQLException {
		switch (type) {
			case Integer.MIN_VALUE -> { // a PostgreSQL large object
				byte[] bytes = rs.getBytes(i);
				if (bytes == null) {
					write.setNull(i, Types.BIGINT);
				}
				else {
					write.setBlob(i, new ByteArrayInputStream(bytes), bytes.length);
				}
			}
			case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY -> write.setBytes(i, rs.getBytes(i));
			case Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR, Types.CLOB -> write.setString(i, rs.getString(i));
			default -> {
				Object value = rs.getObject(i);
				if (value == null) {
					write.setNull(i, type);
				}
				else {
					write.setObject(i, value);
				}
			}
		}
	}

	/**
	 * Sets each sequence of the target to where the source's stands, so new ids follow
	 * the copied ones; how many were set.
	 */
	private static int copySequences(Connection source, Connection target) throws SQLException {
		Set<String> targetSequences = new HashSet<>();
		try (Statement read = target.createStatement();
				ResultSet rs = read.executeQuery(
						"SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()")) {
			while (rs.next()) {
				targetSequences.add(rs.getString(1));
			}
		}
		int set = 0;
		try (Statement read = source.createStatement();
				ResultSet rs = read.executeQuery("SELECT SEQUENCE_NAME, BASE_VALUE FROM INFORMATION_SCHEMA.SEQUENCES"
						+ " WHERE SEQUENCE_SCHEMA = 'PUBLIC'");
				PreparedStatement setval = target.prepareStatement("SELECT setval(CAST(? AS regclass), ?, false)")) {
			while (rs.next()) {
				String name = rs.getString(1).toLowerCase(Locale.ROOT);
				if (targetSequences.contains(name)) {
					setval.setString(1, name);
					setval.setLong(2, Math.max(1, rs.getLong(2)));
					setval.executeQuery().close();
					set++;
				}
			}
		}
		return set;
	}

	/**
	 * Compares the two databases after the commit: each copied table's row count, and the
	 * resources of each type with their current versions; the resources by type, as
	 * "count (versions)".
	 */
	private static Map<String, String> compare(Connection source, Connection target, Map<String, Long> rows)
			throws SQLException {
		for (Map.Entry<String, Long> table : rows.entrySet()) {
			long copied = count(target, table.getKey().toLowerCase(Locale.ROOT));
			if (copied != table.getValue()) {
				throw new IllegalStateException("Table " + table.getKey() + ": " + table.getValue()
						+ " rows in the source, " + copied + " in the target");
			}
		}
		String byType = "SELECT res_type, COUNT(*), SUM(res_ver) FROM hfj_resource GROUP BY res_type ORDER BY res_type";
		Map<String, String> before = summary(source, byType);
		Map<String, String> after = summary(target, byType);
		if (!before.equals(after)) {
			throw new IllegalStateException(
					"Resources by type differ: " + before + " in the source, " + after + " in the target");
		}
		return before;
	}

	/**
	 * Compares about {@value #SAMPLE} stored versions, spread over the resource ids, byte
	 * for byte (id, version, time, text); how many. The same rows are selected on both
	 * sides, so neither table is read whole.
	 */
	private static int sampledVersions(Connection source, Connection target) throws SQLException {
		long step = Math.max(1, count(source, "hfj_res_ver") / SAMPLE);
		String query = "SELECT res_id, res_ver, res_updated, res_encoding, res_text_vc, res_text FROM hfj_res_ver"
				+ " WHERE MOD(res_id, " + step + ") = 0 ORDER BY res_id, res_ver";
		List<String> expected = new ArrayList<>();
		try (Statement statement = source.createStatement(); ResultSet rs = statement.executeQuery(query)) {
			while (rs.next()) {
				expected.add(fingerprint(rs, false));
			}
		}
		List<String> actual = new ArrayList<>();
		try (Statement statement = target.createStatement(); ResultSet rs = statement.executeQuery(query)) {
			while (rs.next()) {
				actual.add(fingerprint(rs, true));
			}
		}
		if (!expected.equals(actual)) {
			throw new IllegalStateException("Stored resource versions differ after the copy");
		}
		return expected.size();
	}

	private static String fingerprint(ResultSet rs, boolean largeObject) throws SQLException {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			digest.update((rs.getLong(1) + "/" + rs.getLong(2) + "/" + rs.getTimestamp(3).getTime() + "/"
					+ rs.getString(4) + "/" + rs.getString(5) + "/")
				.getBytes(StandardCharsets.UTF_8));
			byte[] text;
			if (largeObject) {
				Blob blob = rs.getBlob(6);
				text = blob == null ? null : blob.getBytes(1, (int) blob.length());
			}
			else {
				text = rs.getBytes(6);
			}
			if (text != null) {
				digest.update(text);
			}
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	private static Map<String, String> summary(Connection connection, String query) throws SQLException {
		Map<String, String> summary = new TreeMap<>();
		try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(query)) {
			while (rs.next()) {
				summary.put(rs.getString(1), rs.getLong(2) + " (" + rs.getLong(3) + " versions)");
			}
		}
		return summary;
	}

	private static long count(Connection connection, String table) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
			rs.next();
			return rs.getLong(1);
		}
	}

}
