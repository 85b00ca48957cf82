package org.hemefhir;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

/**
 * An integration test class of the shared server run again with PostgreSQL storage: on a
 * subclass ({@code class CaseReportOnPostgresIT extends CaseReportIT}) it runs every test
 * of the class against a second shared server, the {@code postgres} profile over a schema
 * of its own in the test database, made when that server starts and dropped when the JVM
 * ends. All such classes share that server, as the H2 ones share theirs. Skipped like
 * {@link RequiresPostgres} where there is no PostgreSQL and CI is not set.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@RequiresPostgres
@ActiveProfiles("postgres")
@ContextConfiguration(initializers = OnPostgres.Schema.class)
public @interface OnPostgres {

	String DATABASE = "jdbc:postgresql://" + RequiresPostgres.HOST + ":" + RequiresPostgres.PORT + "/test";

	/** Points the server at a fresh schema. */
	class Schema implements ApplicationContextInitializer<ConfigurableApplicationContext> {

		private static final String NAME = "hemefhir_it_shared_" + UUID.randomUUID().toString().substring(0, 8);

		@Override
		public void initialize(ConfigurableApplicationContext context) {
			execute("CREATE SCHEMA IF NOT EXISTS " + NAME);
			Runtime.getRuntime()
				.addShutdownHook(new Thread(() -> execute("DROP SCHEMA IF EXISTS " + NAME + " CASCADE")));
			TestPropertyValues
				.of("spring.datasource.url=" + DATABASE + "?currentSchema=" + NAME,
						"spring.datasource.username=postgres", "spring.datasource.password=")
				.applyTo(context);
		}

		private static void execute(String sql) {
			try (Connection connection = DriverManager.getConnection(DATABASE, "postgres", "");
					Statement statement = connection.createStatement()) {
				statement.execute(sql);
			}
			catch (SQLException e) {
				throw new IllegalStateException(sql + ": " + e.getMessage(), e);
			}
		}

	}

}
