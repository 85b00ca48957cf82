package org.hemefhir.cli;

import ca.uhn.fhir.jpa.migrate.MigrationResult;
import ca.uhn.fhir.jpa.migrate.taskdef.BaseTask;
import com.zaxxer.hikari.HikariDataSource;
import org.hemefhir.fhirserver.EmbeddedDatabase;
import org.hemefhir.fhirserver.SchemaMigration;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * {@code java -jar hemefhir.jar migrate [--dry-run] [--data-dir DIR | --url JDBC-URL]}:
 * brings a stopped server's database schema to this release, as the server itself does
 * when it starts; with {@code --dry-run} it prints the SQL it would run and changes
 * nothing but HAPI's table of applied tasks, which it creates when missing.
 */
public final class MigrateCommand {

	public static final String NAME = "migrate";

	static final int OK = 0;

	static final int FAILED = 1;

	static final int USAGE = 2;

	static final String HELP = """
			Usage:
			  migrate [--dry-run] [--data-dir DIR | --url JDBC-URL [--user USER]]

			  --dry-run   print the SQL that would run; change nothing
			  --data-dir  the embedded database's hemefhir.data-dir (default ./data); stop the server first
			  --url       a PostgreSQL database, e.g. jdbc:postgresql://db:5432/hemefhir
			  --user      its user (default postgres); the password is read from HEMEFHIR_DB_PASSWORD
			""";

	private static final Set<String> VALUED = Set.of("--data-dir", "--url", "--user");

	private MigrateCommand() {
	}

	/** Entry point from {@code HemeFhirApplication.main}; returns the exit code. */
	public static int main(String[] args) {
		CommandLogging.quiet();
		return run(args, System.getenv("HEMEFHIR_DB_PASSWORD"), System.out, System.err);
	}

	/** {@link #main} with the password and streams given, for tests and embedding. */
	public static int run(String[] args, String password, PrintStream out, PrintStream err) {
		Map<String, String> options = DatabaseOptions.parse(args, Set.of("--dry-run"), VALUED, HELP, err);
		if (options == null) {
			return USAGE;
		}
		if (options.containsKey("--help")) {
			out.print(HELP);
			return OK;
		}
		if (options.containsKey("--url") && options.containsKey("--data-dir")) {
			err.println("Give --url or --data-dir, not both");
			return USAGE;
		}
		String url = options.containsKey("--url") ? options.get("--url")
				: EmbeddedDatabase.url(Path.of(options.getOrDefault("--data-dir", "./data")));
		boolean dryRun = options.containsKey("--dry-run");
		try (HikariDataSource dataSource = DatabaseOptions.open(url, options.get("--user"), password)) {
			MigrationResult result = new SchemaMigration(dataSource, url).migrate(dryRun);
			for (BaseTask.ExecutedStatement statement : result.executedStatements) {
				out.println(statement.getSql().strip() + ";");
			}
			out.println((dryRun ? "Would apply " : "Applied ") + result.succeededTasks.size() + " task(s), "
					+ result.executedStatements.size() + " statement(s)" + (dryRun ? "; nothing changed" : ""));
			return OK;
		}
		catch (RuntimeException e) {
			err.println("Migration failed: " + DatabaseOptions.rootMessage(e));
			return FAILED;
		}
	}

}
