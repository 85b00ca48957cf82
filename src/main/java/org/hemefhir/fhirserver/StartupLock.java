package org.hemefhir.fhirserver;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.stereotype.Component;

/**
 * Lets one node at a time do the work every node does once at start (installing the IG,
 * loading the case) when several start together over one PostgreSQL database: HAPI checks
 * that a conformance resource's url is unique by searching before it inserts, so two
 * nodes installing at once refused each other's resources or stored them twice. A
 * PostgreSQL session-level advisory lock, which the database releases when a node dies;
 * the embedded H2 database serves one process, so there it is nothing.
 */
@Component
public class StartupLock {

	private static final Duration WAIT = Duration.ofMinutes(5);

	private final DataSource dataSource;

	private final boolean postgres;

	StartupLock(DataSource dataSource, DataSourceProperties properties) {
		this.dataSource = dataSource;
		this.postgres = SchemaMigration.driverFor(properties.getUrl()) == DriverTypeEnum.POSTGRES_9_4;
	}

	/** Runs {@code work} while no other node runs work under the same {@code name}. */
	public void run(String name, Runnable work) {
		if (!postgres) {
			work.run();
			return;
		}
		try (Connection connection = dataSource.getConnection()) {
			acquire(connection, name);
			try {
				work.run();
			}
			finally {
				try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
					unlock.setString(1, name);
					unlock.execute();
				}
			}
		}
		catch (SQLException e) {
			throw new IllegalStateException("The startup lock '" + name + "' failed: " + e.getMessage(), e);
		}
	}

	private static void acquire(Connection connection, String name) throws SQLException {
		Instant deadline = Instant.now().plus(WAIT);
		try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
			lock.setString(1, name);
			while (true) {
				try (ResultSet taken = lock.executeQuery()) {
					if (taken.next() && taken.getBoolean(1)) {
						return;
					}
				}
				if (Instant.now().isAfter(deadline)) {
					throw new IllegalStateException("Another node held the startup lock '" + name + "' for over "
							+ WAIT.toMinutes() + " minutes");
				}
				try {
					Thread.sleep(200);
				}
				catch (InterruptedException e) {
					Thread.currentThread().interrupt();
					throw new IllegalStateException("Interrupted while waiting for the startup lock '" + name + "'");
				}
			}
		}
	}

}
