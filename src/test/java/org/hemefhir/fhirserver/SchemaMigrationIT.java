package org.hemefhir.fhirserver;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import ca.uhn.fhir.jpa.migrate.HapiMigrator;
import ca.uhn.fhir.jpa.migrate.MigrationResult;
import ca.uhn.fhir.jpa.migrate.MigrationTaskList;
import ca.uhn.fhir.jpa.migrate.taskdef.BaseTask;
import ca.uhn.fhir.jpa.migrate.tasks.HapiFhirJpaMigrationTasks;
import ca.uhn.fhir.util.VersionEnum;
import com.zaxxer.hikari.HikariDataSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.hemefhir.HemeFhirApplication;
import org.hemefhir.cli.MigrateCommand;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

/**
 * The schema is HAPI's migrator's: an earlier HAPI release's schema is upgraded and then
 * served, a schema Hibernate created (before the migrator) is recorded as migrated
 * without a statement, an older schema without a record of its migrations is refused, and
 * {@code migrate --dry-run} prints the SQL and changes nothing. A second start applying
 * nothing is checked by CrashRestartIT, nodes starting together by PostgresIT.
 */
class SchemaMigrationIT {

	/** HAPI 5.1.0's schema, from HAPI's own migration tests. */
	private static final String HAPI_5_1_SCHEMA = "migration/releases/V5_1_0/schema/H2_EMBEDDED.sql";

	/**
	 * This release's schema as HAPI generates it from the entities, as Hibernate does.
	 */
	private static final String CURRENT_SCHEMA = "ca/uhn/hapi/fhir/jpa/docs/database/nonpartitioned/h2.sql";

	@Test
	void theSchemaOfAnEarlierHapiReleaseIsUpgradedAndServed() throws Exception {
		Path dataDir = newDataDir();
		try (HikariDataSource database = h2(dataDir)) {
			runScript(database, HAPI_5_1_SCHEMA);
			recordAppliedBefore(database, VersionEnum.V5_1_0);
			assertThat(columns(database, "HFJ_RESOURCE")).doesNotContain("FHIR_ID");
		}
		try (ConfigurableApplicationContext server = new SpringApplicationBuilder(HemeFhirApplication.class)
			.run("--server.port=0", "--hemefhir.data-dir=" + dataDir, "--hemefhir.samples.load=false")) {
			int port = ((WebServerApplicationContext) server).getWebServer().getPort();
			String mrn = "migrated-" + UUID.randomUUID();
			String id = given().basePath("")
				.port(port)
				.contentType("application/fhir+json")
				.body("""
						{"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"%s"}],
						 "gender":"female","birthDate":"1964"}""".formatted(mrn))
				.post("/fhir/Patient")
				.then()
				.statusCode(201)
				.extract()
				.path("id");
			given().basePath("").port(port).get("/fhir/Patient/" + id).then().statusCode(200);
			given().basePath("")
				.port(port)
				.get("/fhir/Patient?identifier=urn:test:mrn|" + mrn + "&_summary=count")
				.then()
				.body("total", equalTo(1));
		}
		try (HikariDataSource database = h2(dataDir)) {
			assertThat(columns(database, "HFJ_RESOURCE")).contains("FHIR_ID", "RES_TYPE_ID");
			assertThat(new JdbcTemplate(database).queryForObject("SELECT COUNT(*) FROM " + SchemaMigration.TABLE
					+ " WHERE \"version\" LIKE '8.8.0.%' AND \"success\"", Integer.class))
				.isPositive();
		}
	}

	@Test
	void aSchemaHibernateCreatedIsRecordedAsMigratedWithoutAStatement() throws Exception {
		try (HikariDataSource database = h2(newDataDir())) {
			runScript(database, CURRENT_SCHEMA);
			MigrationResult first = new SchemaMigration(database, database.getJdbcUrl()).migrate(false);
			assertThat(first.executedStatements).isEmpty();
			// every task but those of other databases (Oracle, SQL Server, ...)
			assertThat(first.succeededTasks).hasSizeGreaterThan(allTasks().size() * 9 / 10);
			MigrationResult second = new SchemaMigration(database, database.getJdbcUrl()).migrate(false);
			assertThat(second.succeededTasks).isEmpty();
			assertThat(second.executedStatements).isEmpty();
		}
	}

	@Test
	void anEarlierSchemaWithoutARecordOfItsMigrationsIsRefused() throws Exception {
		try (HikariDataSource database = h2(newDataDir())) {
			runScript(database, HAPI_5_1_SCHEMA);
			new JdbcTemplate(database).execute("DROP TABLE " + SchemaMigration.TABLE);
			SchemaMigration migration = new SchemaMigration(database, database.getJdbcUrl());
			assertThatThrownBy(() -> migration.migrate(false)).hasMessageContaining("earlier HAPI FHIR release")
				.hasMessageContaining("hapi-fhir-cli migrate-database");
			assertThat(columns(database, "HFJ_RESOURCE")).doesNotContain("FHIR_ID");
		}
	}

	@Test
	void theMigrateCommandsDryRunPrintsTheSqlAndChangesNothing() throws Exception {
		Path dataDir = newDataDir();
		String dryRun = migrate("--dry-run", "--data-dir", dataDir.toString());
		assertThat(dryRun).containsIgnoringCase("create table HFJ_RESOURCE")
			.contains("Would apply 9 task(s)", "nothing changed");
		try (HikariDataSource database = h2(dataDir)) {
			assertThat(columns(database, "HFJ_RESOURCE")).isEmpty();
		}
		assertThat(migrate("--data-dir", dataDir.toString())).contains("Applied 9 task(s)");
		assertThat(migrate("--data-dir", dataDir.toString())).contains("Applied 0 task(s), 0 statement(s)");
		try (HikariDataSource database = h2(dataDir)) {
			assertThat(columns(database, "HFJ_RESOURCE")).contains("FHIR_ID");
		}
	}

	private static String migrate(String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		int exit = MigrateCommand.run(args, null, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
		assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
		return out.toString(StandardCharsets.UTF_8);
	}

	private static MigrationTaskList allTasks() {
		return new HapiFhirJpaMigrationTasks(Set.of()).getAllTasks(VersionEnum.values());
	}

	/**
	 * What HAPI's migrator left behind in a database of release {@code release}: the
	 * tasks of the releases before it (tasks filed under a release were added until the
	 * next one, after its schema was taken; those run again and find their work done).
	 */
	private static void recordAppliedBefore(HikariDataSource database, VersionEnum release) {
		VersionEnum[] upTo = Arrays.copyOfRange(VersionEnum.values(), 0, release.ordinal());
		MigrationTaskList tasks = new HapiFhirJpaMigrationTasks(Set.of()).getAllTasks(upTo);
		tasks.setDoNothingOnSkippedTasks(StreamSupport.stream(tasks.spliterator(), false)
			.map(BaseTask::getMigrationVersion)
			.collect(Collectors.joining(",")));
		HapiMigrator migrator = new HapiMigrator(SchemaMigration.TABLE, database, DriverTypeEnum.H2_EMBEDDED);
		migrator.createMigrationTableIfRequired();
		migrator.addTasks(tasks);
		migrator.migrate();
	}

	private static List<String> columns(HikariDataSource database, String table) {
		return new JdbcTemplate(database).queryForList(
				"SELECT COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_NAME = ?",
				String.class, table);
	}

	private static void runScript(HikariDataSource database, String classpathScript) {
		new ResourceDatabasePopulator(new ClassPathResource(classpathScript)).execute(database);
	}

	private static HikariDataSource h2(Path dataDir) {
		HikariDataSource database = new HikariDataSource();
		database.setJdbcUrl(EmbeddedDatabase.url(dataDir));
		database.setUsername("sa");
		database.setPassword("");
		database.setMaximumPoolSize(2);
		return database;
	}

	private static Path newDataDir() throws Exception {
		return Files.createDirectories(Path.of("target", "it-data", "schema-" + UUID.randomUUID()));
	}

}
