package org.hemefhir.fhirserver;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import ca.uhn.fhir.jpa.migrate.HapiMigrator;
import ca.uhn.fhir.jpa.migrate.MigrationResult;
import ca.uhn.fhir.jpa.migrate.MigrationTaskList;
import ca.uhn.fhir.jpa.migrate.SchemaMigrator;
import ca.uhn.fhir.jpa.migrate.taskdef.BaseTask;
import ca.uhn.fhir.jpa.migrate.tasks.HapiFhirJpaMigrationTasks;
import ca.uhn.fhir.util.VersionEnum;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and upgrades the database schema with HAPI's own migration tasks, the ones HAPI
 * ships for its releases: each applied task is recorded in {@value #TABLE}, a start finds
 * the tasks not yet applied, and nodes starting together take turns through HAPI's lock
 * row in that table. Hibernate then only validates the schema against the entities.
 *
 * <p>
 * A database whose schema Hibernate created before this existed (HFJ_RESOURCE present, no
 * migration table) is recorded as migrated up to this HAPI release without running a
 * task: Hibernate built it from this release's entities, and validation checks that.
 */
public final class SchemaMigration {

	/** HAPI's name for the table of applied tasks. */
	public static final String TABLE = SchemaMigrator.HAPI_FHIR_MIGRATION_TABLENAME;

	/**
	 * The newest table of HAPI's schema (8.6; HemeFHIR has always been on 8.8): with it,
	 * a schema without the migration table was created by Hibernate from this release's
	 * entities.
	 */
	private static final String CURRENT_RELEASE_TABLE = "HFJ_RES_SYSTEM";

	private static final Logger log = LoggerFactory.getLogger(SchemaMigration.class);

	private final DataSource dataSource;

	private final DriverTypeEnum driver;

	public SchemaMigration(DataSource dataSource, String jdbcUrl) {
		this.dataSource = dataSource;
		this.driver = driverFor(jdbcUrl);
	}

	static DriverTypeEnum driverFor(String jdbcUrl) {
		if (jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:")) {
			return DriverTypeEnum.POSTGRES_9_4;
		}
		if (jdbcUrl != null && jdbcUrl.startsWith("jdbc:h2:")) {
			return DriverTypeEnum.H2_EMBEDDED;
		}
		throw new IllegalArgumentException("Only H2 and PostgreSQL are supported, not " + jdbcUrl);
	}

	/**
	 * Applies the tasks not yet applied, or with {@code dryRun} only lists their SQL.
	 */
	public MigrationResult migrate(boolean dryRun) {
		MigrationTaskList tasks = new HapiFhirJpaMigrationTasks(Set.of()).getAllTasks(VersionEnum.values());
		if (createdByHibernate()) {
			if (dryRun) {
				log.info("Schema created by an earlier HemeFHIR without migrations: {} task(s) would be recorded as"
						+ " applied, none run", tasks.size());
				return new MigrationResult();
			}
			// record every task as applied, running none
			tasks.setDoNothingOnSkippedTasks(StreamSupport.stream(tasks.spliterator(), false)
				.map(BaseTask::getMigrationVersion)
				.collect(Collectors.joining(",")));
			log.info("Schema created by an earlier HemeFHIR without migrations: recorded as migrated to HAPI {}",
					tasks.getLastVersion());
		}
		HapiMigrator migrator = new HapiMigrator(TABLE, dataSource, driver);
		migrator.setDryRun(dryRun);
		migrator.addTasks(tasks);
		long started = System.nanoTime();
		createTableOfAppliedTasks();
		MigrationResult result = migrator.migrate();
		log.info("Schema migration: {} task(s) applied, {} statement(s) in {} ms{}", result.succeededTasks.size(),
				result.executedStatements.size(), (System.nanoTime() - started) / 1_000_000,
				dryRun ? " (dry run: nothing changed)" : "");
		return result;
	}

	/**
	 * The table of applied tasks also holds the lock row, so it comes first, in a dry run
	 * too (a dry-run migrator would not create it). Nodes starting together may both try:
	 * the one that loses finds it made by the other.
	 */
	private void createTableOfAppliedTasks() {
		try {
			new HapiMigrator(TABLE, dataSource, driver).createMigrationTableIfRequired();
		}
		catch (RuntimeException raced) {
			try (Connection connection = dataSource.getConnection()) {
				if (!tableExists(connection, TABLE)) {
					throw raced;
				}
			}
			catch (SQLException e) {
				raced.addSuppressed(e);
				throw raced;
			}
		}
	}

	/**
	 * Whether Hibernate created this release's schema (to be recorded as migrated).
	 * HAPI's migrator takes tables without a record of applied tasks for a schema it has
	 * just initialized and would skip every upgrade, so an older schema without that
	 * record is refused rather than left half-upgraded.
	 */
	private boolean createdByHibernate() {
		try (Connection connection = dataSource.getConnection()) {
			if (!tableExists(connection, "HFJ_RESOURCE") || tableExists(connection, TABLE)) {
				return false;
			}
			if (tableExists(connection, CURRENT_RELEASE_TABLE)) {
				return true;
			}
			throw new IllegalStateException("The database holds the tables of an earlier HAPI FHIR release but no "
					+ TABLE + " table recording its migrations: upgrade it first with HAPI's own migration tool"
					+ " (hapi-fhir-cli migrate-database) from the release that created it");
		}
		catch (SQLException e) {
			throw new IllegalStateException("Cannot read the database schema: " + e.getMessage(), e);
		}
	}

	private static boolean tableExists(Connection connection, String table) throws SQLException {
		DatabaseMetaData meta = connection.getMetaData();
		for (String name : new String[] { table, table.toLowerCase() }) {
			try (ResultSet tables = meta.getTables(connection.getCatalog(), connection.getSchema(), name,
					new String[] { "TABLE" })) {
				if (tables.next()) {
					return true;
				}
			}
		}
		return false;
	}

}
