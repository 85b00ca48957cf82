package org.hemefhir.fhirserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.hemefhir.FhirIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The embedded database's planner statistics are taken from all rows, once after start
 * and after growth, not from H2's own sample of the oldest rows.
 */
class H2StatisticsIT extends FhirIntegrationTest {

	@Autowired
	H2Statistics statistics;

	@Autowired
	DataSource dataSource;

	@Test
	void theStatisticsAreRefreshedOnceTheServerIsReady() throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
		while (statistics.refreshes() == 0 && System.nanoTime() < deadline) {
			Thread.sleep(200);
		}
		assertThat(statistics.refreshes()).isPositive();
	}

	@Test
	void aRefreshReplacesWhatASampleOfTheOldestRowsSuggested() throws SQLException {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			// what H2's own sample leaves once the implementation guide is stored: each
			// resource seemingly holding a hundredth of all token rows
			statement.execute("ALTER TABLE HFJ_SPIDX_TOKEN ALTER COLUMN RES_ID SELECTIVITY 1");
			assertThat(selectivity(statement, "HFJ_SPIDX_TOKEN", "RES_ID")).isEqualTo(1);

			statistics.analyze(statement);

			assertThat(selectivity(statement, "HFJ_SPIDX_TOKEN", "RES_ID")).isGreaterThan(5);
		}
	}

	@Test
	void anotherRefreshWaitsForTheConfiguredGrowth() {
		assertThat(H2Statistics.grownEnough(-1, 0, 20)).isTrue();
		assertThat(H2Statistics.grownEnough(10_000, 11_999, 20)).isFalse();
		assertThat(H2Statistics.grownEnough(10_000, 12_000, 20)).isTrue();
		assertThat(H2Statistics.grownEnough(0, 1, 20)).isTrue();
		assertThat(H2Statistics.grownEnough(3, 3, 20)).isFalse();
	}

	private static int selectivity(Statement statement, String table, String column) throws SQLException {
		try (ResultSet row = statement.executeQuery("SELECT SELECTIVITY FROM INFORMATION_SCHEMA.COLUMNS"
				+ " WHERE TABLE_NAME = '" + table + "' AND COLUMN_NAME = '" + column + "'")) {
			row.next();
			return row.getInt(1);
		}
	}

}
