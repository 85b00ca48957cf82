package org.hemefhir;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test that needs the PostgreSQL at 127.0.0.1:5432. On a laptop without one it is
 * skipped with a message saying so; with {@code CI} set it always runs, so that a missing
 * database fails the build instead of silently dropping the tests.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresPostgres.Condition.class)
public @interface RequiresPostgres {

	String HOST = "127.0.0.1";

	int PORT = 5432;

	class Condition implements ExecutionCondition {

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			return evaluate(HOST, PORT, System.getenv("CI"));
		}

		static ConditionEvaluationResult evaluate(String host, int port, String ci) {
			if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
				return ConditionEvaluationResult
					.enabled("CI is set: PostgreSQL at " + host + ":" + port + " is required");
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(host, port), 2_000);
				return ConditionEvaluationResult.enabled("PostgreSQL answers at " + host + ":" + port);
			}
			catch (IOException e) {
				return ConditionEvaluationResult
					.disabled("Skipped: no PostgreSQL at " + host + ":" + port + " (" + e.getMessage()
							+ "). Start one (database 'test', trust auth) or set CI=true to make this a failure.");
			}
		}

	}

}
