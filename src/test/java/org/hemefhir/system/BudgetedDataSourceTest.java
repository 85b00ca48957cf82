package org.hemefhir.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * Statements run for a request end with its budget, or when it is stopped; others are not
 * limited.
 */
class BudgetedDataSourceTest {

	/** A query H2 needs minutes for. */
	private static final String SLOW = "SELECT MAX(a.X * b.X) FROM SYSTEM_RANGE(1, 1000000) a, SYSTEM_RANGE(1, 1000000) b";

	private final BudgetedDataSource dataSource = new BudgetedDataSource(h2());

	@Test
	void aStatementIsCancelledWhenTheBudgetRunsOut() {
		long start = System.nanoTime();
		try (RequestBudget budget = RequestBudget.open(limits(Duration.ofSeconds(1)), null, "test")) {
			assertThatThrownBy(() -> query(SLOW)).isInstanceOf(SQLException.class);
			assertThat(budget.isOver()).isTrue();
		}
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
	}

	@Test
	void aStoppedRequestHasItsRunningStatementCancelled() throws Exception {
		try (RequestBudget budget = RequestBudget.open(limits(Duration.ofSeconds(60)), null, "test")) {
			CompletableFuture<Void> stopper = CompletableFuture.runAsync(() -> {
				sleep(700);
				budget.stop(RequestBudget.Reason.CLIENT_GONE);
			});
			long start = System.nanoTime();
			assertThatThrownBy(() -> query(SLOW)).isInstanceOf(SQLException.class);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
			stopper.get(5, TimeUnit.SECONDS);
			assertThatThrownBy(budget::check).isInstanceOf(RequestCancelledException.class)
				.satisfies(e -> assertThat(((RequestCancelledException) e).reason())
					.isEqualTo(RequestBudget.Reason.CLIENT_GONE));
		}
	}

	/**
	 * The client left while a statement was registered but not yet begun: H2 forgets a
	 * cancel that comes before the statement starts (the suite once waited 60 s here).
	 */
	@Test
	void aStatementNotYetBegunWhenTheRequestStopsIsCancelledOnceItRuns() throws Exception {
		try (RequestBudget budget = RequestBudget.open(limits(Duration.ofSeconds(60)), null, "test");
				Connection connection = h2().getConnection();
				Statement statement = connection.createStatement()) {
			statement.setQueryTimeout(15);
			budget.running(statement);
			budget.stop(RequestBudget.Reason.CLIENT_GONE);
			long start = System.nanoTime();
			assertThatThrownBy(() -> statement.executeQuery(SLOW)).isInstanceOf(SQLException.class);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
			budget.finished(statement);
		}
	}

	@Test
	void aSpentBudgetStartsNoStatementAndWorkWithoutABudgetIsNotLimited() throws Exception {
		try (RequestBudget budget = RequestBudget.open(limits(Duration.ofMillis(1)), null, "test")) {
			sleep(20);
			assertThatThrownBy(() -> query("SELECT 1")).isInstanceOf(java.sql.SQLTimeoutException.class);
		}
		assertThat(RequestBudget.current()).isEmpty();
		assertThat(query("SELECT COUNT(*) FROM SYSTEM_RANGE(1, 1000)")).isEqualTo(1000);
	}

	private long query(String sql) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(sql)) {
			rows.next();
			return rows.getLong(1);
		}
	}

	private static LimitsProperties limits(Duration timeout) {
		return new LimitsProperties(timeout, 16, Duration.ofSeconds(2), Duration.ofSeconds(5), 100, 100_000, 40, 10);
	}

	private static JdbcDataSource h2() {
		JdbcDataSource h2 = new JdbcDataSource();
		h2.setURL("jdbc:h2:mem:budget;DB_CLOSE_DELAY=-1");
		return h2;
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

}
