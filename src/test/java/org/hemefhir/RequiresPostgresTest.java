package org.hemefhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

class RequiresPostgresTest {

	@Test
	void withoutCiAnUnreachableDatabaseSkipsWithAReason() throws Exception {
		int closed = freePort();
		ConditionEvaluationResult result = RequiresPostgres.Condition.evaluate("127.0.0.1", closed, null);
		assertThat(result.isDisabled()).isTrue();
		assertThat(result.getReason()).hasValueSatisfying(
				r -> assertThat(r).contains("no PostgreSQL at 127.0.0.1:" + closed).contains("CI=true"));
	}

	@Test
	void withCiTheTestRunsAndFailsOnItsOwn() throws Exception {
		assertThat(RequiresPostgres.Condition.evaluate("127.0.0.1", freePort(), "true").isDisabled()).isFalse();
		assertThat(RequiresPostgres.Condition.evaluate("127.0.0.1", freePort(), "false").isDisabled()).isTrue();
	}

	@Test
	void aListeningDatabaseRuns() throws Exception {
		try (ServerSocket listening = new ServerSocket(0)) {
			assertThat(RequiresPostgres.Condition.evaluate("127.0.0.1", listening.getLocalPort(), null).isDisabled())
				.isFalse();
		}
	}

	private static int freePort() throws Exception {
		try (ServerSocket s = new ServerSocket(0)) {
			return s.getLocalPort();
		}
	}

}
