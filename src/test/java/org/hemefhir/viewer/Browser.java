package org.hemefhir.viewer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.hemefhir.RequiresChromium;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium driven through chromedriver, with the flags this machine's closed
 * network needs (no background connections), a fresh profile and a laptop-sized window.
 * Screenshots go to {@code target/viewer-screenshots/} as test artifacts.
 */
final class Browser implements AutoCloseable {

	static final Path SCREENSHOTS = Path.of("target", "viewer-screenshots");

	private static final Duration WAIT = Duration.ofSeconds(40);

	final ChromeDriver driver;

	private final Path profile;

	Browser() {
		try {
			profile = Files.createTempDirectory("hemefhir-chromium");
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		ChromeOptions options = new ChromeOptions();
		options.setBinary(RequiresChromium.CHROMIUM.toFile());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
				"--disable-sync", "--window-size=1440,1000", "--user-data-dir=" + profile);
		// the driver is given: Selenium Manager would go to the network for one
		ChromeDriverService service = new ChromeDriverService.Builder()
			.usingDriverExecutable(RequiresChromium.CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		driver = new ChromeDriver(service, options);
		driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
	}

	void open(String url) {
		driver.get(url);
	}

	<T> T until(Function<WebDriver, T> condition) {
		// the page redraws a panel while it is being read: such a read is tried again
		return new WebDriverWait(driver, WAIT, Duration.ofMillis(100)).ignoring(StaleElementReferenceException.class)
			.until(condition);
	}

	/** Waits for at least one element matching the selector. */
	List<WebElement> all(String css) {
		return until(d -> {
			List<WebElement> found = d.findElements(By.cssSelector(css));
			return found.isEmpty() ? null : found;
		});
	}

	WebElement one(String css) {
		return all(css).get(0);
	}

	/** Waits until the element's text contains the expected text; returns the text. */
	String textOf(String css, String expected) {
		return until(d -> {
			List<WebElement> found = d.findElements(By.cssSelector(css));
			return found.isEmpty() || !found.get(0).getText().contains(expected) ? null : found.get(0).getText();
		});
	}

	Path screenshot(String name) {
		try {
			Files.createDirectories(SCREENSHOTS);
			Path target = SCREENSHOTS.resolve(name + ".png");
			Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
			return target;
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	@Override
	public void close() {
		driver.quit();
	}

}
