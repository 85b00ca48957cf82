package org.hemefhir.fhirserver;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import jakarta.annotation.PreDestroy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Keeps the embedded database's planner statistics current. H2 analyzes a table by itself
 * only from a sample of its first rows in key order, which on this server are the
 * implementation guide's conformance resources, stored before any clinical data: the
 * selectivities it then plans with describe those, and as a cohort grows its join orders
 * go wrong (a chained search by specimen type walked 84,000 index entries where 1,200
 * do). A full {@code ANALYZE} runs in the background after the server is ready and again
 * whenever the stored resource versions have grown by {@code growth-percent} since the
 * last one, so its cost grows with the writes, not with time.
 */
@Component
class H2Statistics {

	private static final Logger log = LoggerFactory.getLogger(H2Statistics.class);

	private final DataSource dataSource;

	private final H2StatisticsProperties properties;

	private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
		Thread thread = new Thread(r, "h2-statistics");
		thread.setDaemon(true);
		return thread;
	});

	/** Resource versions at the last refresh; -1 before the first. */
	private long versionsAtRefresh = -1;

	private int refreshes;

	private final boolean h2;

	H2Statistics(DataSource dataSource, H2StatisticsProperties properties, DataSourceProperties dataSourceProperties) {
		this.dataSource = dataSource;
		this.properties = properties;
		this.h2 = SchemaMigration.driverFor(dataSourceProperties.getUrl()) == DriverTypeEnum.H2_EMBEDDED;
	}

	@EventListener(ApplicationReadyEvent.class)
	void start() {
		if (!properties.enabled() || !h2) {
			return;
		}
		long every = properties.checkEvery().toMillis();
		scheduler.scheduleWithFixedDelay(this::refreshIfGrown, 0, every, TimeUnit.MILLISECONDS);
	}

	@PreDestroy
	void stop() {
		scheduler.shutdownNow();
	}

	/** Whether the stored versions grew enough since the last refresh. */
	static boolean grownEnough(long before, long now, int growthPercent) {
		return before < 0 || now - before >= Math.max(1, before * growthPercent / 100);
	}

	/** Refreshes the statistics when the data grew enough; never throws. */
	synchronized void refreshIfGrown() {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			long versions = versions(statement);
			if (!grownEnough(versionsAtRefresh, versions, properties.growthPercent())) {
				return;
			}
			analyze(statement);
			versionsAtRefresh = versions;
			log.info("Planner statistics refreshed at {} resource versions", versions);
		}
		catch (SQLException | RuntimeException e) {
			log.warn("Planner statistics not refreshed: {}", e.getMessage());
		}
	}

	/**
	 * Analyzes every table, all rows: a sample would again be the oldest rows. One table
	 * per statement: H2 holds its schema lock from a table's new statistics until the
	 * statement commits, and a write that needs a new block of sequence values waits for
	 * that lock, so one statement over all tables would make writes wait for all of it.
	 */
	synchronized void analyze(Statement statement) throws SQLException {
		long started = System.nanoTime();
		List<String> tables = new ArrayList<>();
		try (ResultSet rows = statement.executeQuery("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"
				+ " WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_TYPE = 'BASE TABLE'")) {
			while (rows.next()) {
				tables.add(rows.getString(1));
			}
		}
		for (String table : tables) {
			statement.execute("ANALYZE TABLE \"" + table.replace("\"", "\"\"") + "\" SAMPLE_SIZE 0");
		}
		refreshes++;
		log.debug("ANALYZE of {} tables took {} ms", tables.size(), (System.nanoTime() - started) / 1_000_000);
	}

	/** How many refreshes ran since start. */
	synchronized int refreshes() {
		return refreshes;
	}

	private static long versions(Statement statement) throws SQLException {
		try (ResultSet count = statement.executeQuery("SELECT COUNT(*) FROM HFJ_RES_VER")) {
			count.next();
			return count.getLong(1);
		}
	}

}
