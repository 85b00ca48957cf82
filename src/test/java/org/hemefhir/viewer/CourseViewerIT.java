package org.hemefhir.viewer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hemefhir.FhirIntegrationTest;
import org.hemefhir.RequiresChromium;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The course viewer in a real browser on the shared test server (security off, the case
 * loaded): the letter's recovery days and MRD results as drawn, thresholds that change
 * the outcome, points that open their resource.
 */
@RequiresChromium
class CourseViewerIT extends FhirIntegrationTest {

	private static Browser browser;

	private String casePatient;

	@BeforeAll
	static void startBrowser() {
		browser = new Browser();
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.close();
		}
	}

	@BeforeEach
	void findTheCase() {
		casePatient = fhir().get("/Patient?identifier=" + CASE + "|patient")
			.then()
			.extract()
			.path("entry[0].resource.id");
		assertThat(casePatient).isNotNull();
	}

	private String viewer(String hash) {
		return "http://127.0.0.1:" + port + "/viewer/" + hash;
	}

	private void openCase() {
		browser.open(viewer("#/patient/" + casePatient));
		browser.all("circle.point.anc");
		browser.one("#outcome-anc .day");
	}

	/** The chart's points of one kind, by their day on the chosen clock. */
	private static TreeMap<Integer, Double> points(String kind) {
		TreeMap<Integer, Double> byDay = new TreeMap<>();
		for (WebElement point : browser.all("circle.point." + kind)) {
			byDay.put(Integer.valueOf(point.getDomAttribute("data-day")),
					Double.valueOf(point.getDomAttribute("data-value")));
		}
		return byDay;
	}

	/** The first day whose value is above the threshold after one that is not. */
	private static Integer crossing(Map<Integer, Double> byDay, double threshold) {
		Double before = null;
		for (Map.Entry<Integer, Double> point : byDay.entrySet()) {
			if (before != null && before <= threshold && point.getValue() > threshold) {
				return point.getKey();
			}
			before = point.getValue();
		}
		return null;
	}

	@Test
	void theCaseIsDrawnAsTheLetterTellsIt() {
		openCase();
		assertThat(browser.one("#anchor").getDomProperty("value")).isEqualTo("dara-va-haa");
		assertThat(crossing(points("anc"), 1.0)).as("ANC crosses 1.0 ×10^9/L on Dara-VA-HAA day").isEqualTo(31);
		assertThat(crossing(points("platelets"), 100)).as("platelets cross 100 ×10^9/L").isEqualTo(37);
		List<Integer> negativeMarrow = browser.all("g.result.mrd[data-specimen=MAR]")
			.stream()
			.filter(g -> "negative".equals(g.getDomAttribute("data-state")))
			.map(g -> Integer.valueOf(g.getDomAttribute("data-day")))
			.toList();
		assertThat(negativeMarrow).contains(32, 73);
		assertThat(browser.all("g.result.mrd[data-specimen=CSF]")).isNotEmpty();
		// the outcomes beside the chart, from $outcomes
		assertThat(browser.one("#outcome-anc .day").getDomAttribute("data-day")).isEqualTo("31");
		assertThat(browser.one("#outcome-platelets .day").getDomAttribute("data-day")).isEqualTo("37");
		assertThat(browser.one("#outcome-mrd-MAR .day").getDomAttribute("data-day")).isEqualTo("32");
		assertThat(browser.all(".recovery-line")).hasSize(2);
		// the recovery thresholds, the transplant and its donor
		assertThat(browser.all("line.threshold")).extracting(line -> line.getDomAttribute("data-threshold"))
			.contains("0.5", "1", "20", "100");
		assertThat(browser.all("g.transplant")).hasSize(1);
		assertThat(browser.textOf("#transplant", "HLA match")).contains("7/12").contains("Haploidentical");
		assertThat(browser.all("g.adverse-event[data-grade='3']")).hasSizeGreaterThanOrEqualTo(3);
		assertThat(browser.all(".support.transfusion")).hasSize(2);
		assertThat(browser.all(".support.growth-factor")).hasSize(2);
		// assumed values are drawn hollow, reported ones filled
		List<WebElement> assumed = browser.all(".mark[data-assumed=true]");
		assertThat(assumed).isNotEmpty();
		assertThat(browser.all("circle.point.anc.assumed")).isNotEmpty()
			.allSatisfy(m -> assertThat(m.getDomAttribute("fill")).isEqualTo("#ffffff"));
		// the marrow MRD of day 32 is reported as it was measured
		assertThat(browser.all("g.result.mrd[data-day='32']:not(.assumed) > circle"))
			.allSatisfy(m -> assertThat(m.getDomAttribute("fill")).isNotEqualTo("#ffffff"))
			.isNotEmpty();
		browser.screenshot("case-course");
		// the whole course: the positive marrow MRD after induction (before this regimen)
		new org.openqa.selenium.support.ui.Select(browser.one("#window")).selectByValue("course");
		WebElement positive = browser.one("g.result.mrd[data-specimen=MAR][data-state=positive]");
		assertThat(positive.getDomAttribute("data-date")).isEqualTo("2024-03-07");
		assertThat(positive.getDomAttribute("data-day")).isEqualTo("-25");
		browser.screenshot("case-whole-course");
	}

	@Test
	void changingTheThresholdUpdatesTheOutcome() {
		openCase();
		WebElement threshold = browser.one("#anc-threshold");
		threshold.clear();
		threshold.sendKeys("0.5");
		// 0.8, 1.2, 1.4 from day 30: three in a row over 0.5
		browser.until(d -> "30".equals(d.findElement(By.cssSelector("#outcome-anc .day")).getDomAttribute("data-day"))
				? true : null);
		assertThat(browser.textOf("#outcome-anc h3", "0.5")).contains("ANC > 0.5");
		browser.until(d -> d.findElements(By.cssSelector(".threshold-label.chosen"))
			.stream()
			.anyMatch(t -> t.getText().equals("recovery threshold 0.5")) ? true : null);
		browser.screenshot("threshold-changed");
	}

	@Test
	void aPointOpensItsResourceAndProfile() {
		openCase();
		WebElement first = browser.all("circle.point.anc")
			.stream()
			.min(Comparator.comparing(p -> Integer.valueOf(p.getDomAttribute("data-day"))))
			.orElseThrow();
		String reference = first.getDomAttribute("data-resource");
		first.click();
		assertThat(browser.textOf("#details-title", reference)).isEqualTo(reference);
		String json = browser.textOf(".resource-json", "751-8");
		assertThat(json).contains("\"resourceType\": \"Observation\"").contains("\"id\": \"" + reference.split("/")[1]);
		String profile = browser.one(".profile-link").getDomProperty("href");
		assertThat(profile).endsWith("/ig/StructureDefinition-hemefhir-blood-count.html");
		given().get(profile).then().statusCode(200);
		browser.screenshot("resource-open");
		// by keyboard: a marrow MRD marker, focused and Enter
		browser.one("#details-close").click();
		WebElement mrd = browser.one("g.result.mrd[data-specimen=MAR]");
		mrd.sendKeys(Keys.ENTER);
		assertThat(browser.textOf("#details-title", mrd.getDomAttribute("data-resource")))
			.isEqualTo(mrd.getDomAttribute("data-resource"));
		assertThat(browser.one(".profile-link").getDomProperty("href"))
			.endsWith("StructureDefinition-hemefhir-mrd.html");
	}

	@Test
	void theRootLeadsToThePatientListWithoutSignIn() {
		browser.open("http://127.0.0.1:" + port + "/");
		browser.until(d -> d.getCurrentUrl().contains("/viewer/") ? true : null);
		assertThat(browser.textOf("#session", "Security is off")).contains("no sign-in");
		WebElement query = browser.one("#patient-query");
		query.sendKeys(CASE + "|patient", Keys.ENTER);
		List<WebElement> found = browser.all("#patient-results a.patient-link");
		assertThat(found).extracting(a -> a.getDomAttribute("data-id")).containsExactly(casePatient);
		found.get(0).click();
		browser.all("circle.point.anc");
	}

	@Test
	void everyControlIsLabelledAndEveryMarkIsReachedByTheKeyboard() {
		openCase();
		Object unlabelled = browser.driver.executeScript(
				"return [...document.querySelectorAll('input, select')].filter(e => e.labels.length === 0).map(e => e.id)");
		assertThat((List<?>) unlabelled).isEmpty();
		Object unreachable = browser.driver.executeScript("return [...document.querySelectorAll('.mark')]"
				+ ".filter(m => !m.getAttribute('aria-label') || m.getAttribute('tabindex') !== '0').length");
		assertThat(((Number) unreachable).intValue()).isZero();
		// Tab from the last control reaches the chart's marks, and Enter opens one
		WebElement comparator = browser.one("#comparator");
		comparator.sendKeys(Keys.TAB);
		WebElement focused = browser.driver.switchTo().activeElement();
		for (int i = 0; i < 5 && !"button".equals(focused.getDomAttribute("role")); i++) {
			focused.sendKeys(Keys.TAB);
			focused = browser.driver.switchTo().activeElement();
		}
		assertThat(focused.getDomAttribute("class")).contains("mark");
		focused.sendKeys(Keys.ENTER);
		assertThat(browser.textOf("#details-title", "/")).isEqualTo(focused.getDomAttribute("data-resource"));
		browser.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
		browser.until(d -> d.findElement(By.id("details")).isDisplayed() ? null : true);
	}

	@Test
	void anUnknownPatientIsAMessageFromTheServer() {
		browser.open(viewer("#/patient/no-such-patient"));
		assertThat(browser.textOf("#chart .error", "Cannot read the course")).containsIgnoringCase("no-such-patient");
		assertThat(browser.driver.findElements(By.cssSelector("circle.point"))).isEmpty();
	}

}
