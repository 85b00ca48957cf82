package org.hemefhir.cli;

import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the database commands ({@code migrate}, {@code migrate-data}) share: reading their
 * options and opening a database.
 */
final class DatabaseOptions {

	private DatabaseOptions() {
	}

	/**
	 * The options given (a flag maps to "true"); null after printing the problem and the
	 * usage.
	 */
	static Map<String, String> parse(String[] args, Set<String> flags, Set<String> valued, String help,
			PrintStream err) {
		Map<String, String> options = new HashMap<>();
		for (int i = 0; i < args.length; i++) {
			if (flags.contains(args[i]) || "--help".equals(args[i])) {
				options.put(args[i], "true");
			}
			else if (valued.contains(args[i]) && i + 1 < args.length) {
				options.put(args[i], args[++i]);
			}
			else {
				err.println("Unknown or incomplete option: " + args[i]);
				err.print(help);
				return null;
			}
		}
		return options;
	}

	/**
	 * A small pool on a JDBC URL: H2's user {@code sa}, else the user given (default
	 * postgres) with the password from HEMEFHIR_DB_PASSWORD.
	 */
	static HikariDataSource open(String url, String user, String password) {
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl(url);
		boolean h2 = url.startsWith("jdbc:h2:");
		dataSource.setUsername(h2 ? "sa" : user == null ? "postgres" : user);
		dataSource.setPassword(h2 || password == null ? "" : password);
		dataSource.setMaximumPoolSize(2);
		return dataSource;
	}

	static String rootMessage(Throwable e) {
		Throwable root = e;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getMessage();
	}

}
