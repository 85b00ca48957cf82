package org.hemefhir.cli;

import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hemefhir.fhirserver.EmbeddedDatabase;
import org.hemefhir.fhirserver.SchemaMigration;
import org.hemefhir.fhirserver.SharedKeys;

/**
 * {@code java -jar hemefhir.jar migrate-data --from DIR --to JDBC-URL [--user USER]}:
 * moves a stopped server's embedded database into an empty PostgreSQL database, keeping
 * every resource's id and history (see {@link TableCopy}), then compares the two.
 */
public final class MigrateDataCommand {

	public static final String NAME = "migrate-data";

	static final String HELP = """
			Usage:
			  migrate-data --from DIR --to JDBC-URL [--user USER]

			  --from  the embedded database's hemefhir.data-dir; stop the server first
			  --to    an empty PostgreSQL database, e.g. jdbc:postgresql://db:5432/hemefhir
			  --user  its user (default postgres); the password is read from HEMEFHIR_DB_PASSWORD
			""";

	private MigrateDataCommand() {
	}

	/** Entry point from {@code HemeFhirApplication.main}; returns the exit code. */
	public static int main(String[] args) {
		CommandLogging.quiet();
		return run(args, System.getenv("HEMEFHIR_DB_PASSWORD"), System.out, System.err);
	}

	/** {@link #main} with the password and streams given, for tests and embedding. */
	public static int run(String[] args, String password, PrintStream out, PrintStream err) {
		Map<String, String> options = DatabaseOptions.parse(args, Set.of(), Set.of("--from", "--to", "--user"), HELP,
				err);
		if (options == null) {
			return MigrateCommand.USAGE;
		}
		if (options.containsKey("--help")) {
			out.print(HELP);
			return MigrateCommand.OK;
		}
		if (!options.containsKey("--from") || !options.containsKey("--to")) {
			err.println("Give --from and --to");
			err.print(HELP);
			return MigrateCommand.USAGE;
		}
		Path dataDir = Path.of(options.get("--from"));
		String to = options.get("--to");
		if (!to.startsWith("jdbc:postgresql:")) {
			err.println("--to must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database)");
			return MigrateCommand.USAGE;
		}
		if (!Files.exists(dataDir.resolve("hemefhir.mv.db"))) {
			err.println("No embedded database in " + dataDir.toAbsolutePath() + " (hemefhir.mv.db)");
			return MigrateCommand.FAILED;
		}
		String from = EmbeddedDatabase.url(dataDir) + ";IFEXISTS=TRUE";
		try (HikariDataSource source = DatabaseOptions.open(from, null, null);
				HikariDataSource target = DatabaseOptions.open(to, options.get("--user"), password)) {
			int pending = new SchemaMigration(source, from).migrate(true).succeededTasks.size();
			if (pending > 0) {
				err.println("The embedded database is " + pending + " migration task(s) behind this release: run "
						+ MigrateCommand.NAME + " --data-dir " + dataDir + " first (or start the server on it once)");
				return MigrateCommand.FAILED;
			}
			int tasks = new SchemaMigration(target, to).migrate(false).succeededTasks.size();
			out.println("Target schema: " + tasks + " migration task(s) applied");
			new SharedKeys(target);
			TableCopy.Report report = new TableCopy(source, target).copy();
			List<String> adopted = new SharedKeys(target).adoptFiles(dataDir);
			print(report, adopted, out);
			return MigrateCommand.OK;
		}
		catch (RuntimeException | SQLException e) {
			if (openElsewhere(e)) {
				err.println(
						"The embedded database in " + dataDir + " is open in a running server: stop the server first");
				return MigrateCommand.FAILED;
			}
			err.println("Moving the data failed, the target is unchanged: " + DatabaseOptions.rootMessage(e));
			return MigrateCommand.FAILED;
		}
	}

	/** H2's "database already in use" (error 90020): another process holds the file. */
	private static boolean openElsewhere(Throwable e) {
		for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
			if (cause instanceof SQLException sql && sql.getErrorCode() == 90020) {
				return true;
			}
		}
		return false;
	}

	private static void print(TableCopy.Report report, List<String> adopted, PrintStream out) {
		long rows = report.rows().values().stream().mapToLong(Long::longValue).sum();
		out.println("Copied " + report.rows().size() + " tables, " + rows + " rows; " + report.sequences()
				+ " sequences set past the copied ids");
		report.resources().forEach((type, count) -> out.println("  " + type + ": " + count));
		out.println("Compared: the row count of every table, resources and versions of each type, and "
				+ report.sampledVersions() + " stored versions byte for byte: the same");
		if (!report.notCopied().isEmpty()) {
			out.println("Not copied (made again when a server starts): " + String.join(", ", report.notCopied()));
		}
		if (!adopted.isEmpty()) {
			out.println("Keys taken from the data directory's files into the database: " + String.join(", ", adopted));
		}
	}

}
