package org.hemefhir;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test that drives a real Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}). Where they are missing it installs them with apt-get when it
 * can (root); where no Chromium can be had it is skipped with a message saying so, unless
 * {@code CI} is set, when it runs and fails.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresChromium.Condition.class)
public @interface RequiresChromium {

	Path CHROMIUM = Path.of(System.getProperty("hemefhir.test.chromium", "/usr/bin/chromium"));

	Path CHROMEDRIVER = Path.of(System.getProperty("hemefhir.test.chromedriver", "/usr/bin/chromedriver"));

	class Condition implements ExecutionCondition {

		private static volatile String installAttempt;

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			if (!present()) {
				install();
			}
			if (present()) {
				return ConditionEvaluationResult.enabled("Chromium at " + CHROMIUM + ", driver at " + CHROMEDRIVER);
			}
			String ci = System.getenv("CI");
			if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
				return ConditionEvaluationResult.enabled("CI is set: Chromium is required (" + installAttempt + ")");
			}
			return ConditionEvaluationResult.disabled("Skipped: no Chromium at " + CHROMIUM + " with its driver at "
					+ CHROMEDRIVER + " (" + installAttempt
					+ "). Install Debian's chromium and chromium-driver, or set CI=true to make this a failure.");
		}

		private static boolean present() {
			return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
		}

		/** Once per run: apt-get, bounded in time. */
		private static synchronized void install() {
			if (installAttempt != null) {
				return;
			}
			if (!Files.isExecutable(Path.of("/usr/bin/apt-get")) || !"root".equals(System.getProperty("user.name"))) {
				installAttempt = "apt-get is not available to this user";
				return;
			}
			try {
				// the package lists may be stale on a new machine: read them once if the
				// install fails
				Process apt = new ProcessBuilder("sh", "-c",
						"apt-get install -y -q chromium chromium-driver"
								+ " || (apt-get update -q && apt-get install -y -q chromium chromium-driver)")
					.redirectErrorStream(true)
					.redirectOutput(Path.of("target", "apt-get-chromium.log").toFile())
					.start();
				if (!apt.waitFor(10, TimeUnit.MINUTES)) {
					apt.destroyForcibly();
					installAttempt = "apt-get install chromium chromium-driver did not finish within 10 minutes";
				}
				else {
					installAttempt = "apt-get install chromium chromium-driver exited with " + apt.exitValue()
							+ ", see target/apt-get-chromium.log";
				}
			}
			catch (IOException e) {
				installAttempt = "apt-get could not run: " + e.getMessage();
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				installAttempt = "interrupted";
			}
		}

	}

}
