package org.hemefhir.viewer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ca.uhn.fhir.context.FhirContext;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hemefhir.BackendClient;
import org.hemefhir.HemeFhirApplication;
import org.hemefhir.RequiresChromium;
import org.hemefhir.ServerProcess;
import org.hemefhir.cohort.GeneratedBundles;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * The course viewer as a SMART app: a server with tokens required and the built-in
 * authorization server signing in users, the case and a generated cohort loaded. The
 * browser signs in with authorization code + PKCE and sees what the token allows.
 */
@RequiresChromium
class CourseViewerSignedInIT {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	private static final String CLINICIAN_PASSWORD = "clinician-pw-1";

	private static final String PATIENT_PASSWORD = "patient-pw-2";

	private static final long SEED = 11;

	private static final int PATIENTS = 3;

	private static ConfigurableApplicationContext server;

	private static String base;

	private static int port;

	private static JsonNode cohort;

	private static String casePatient;

	@BeforeAll
	static void startServer() throws Exception {
		Path dir = Files.createDirectories(Path.of("target", "it-data", "viewer-" + UUID.randomUUID()));
		Path generated = dir.resolve("cohort");
		GeneratedBundles.write(SEED, PATIENTS, generated);
		cohort = new ObjectMapper().readTree(generated.resolve("cohort.json").toFile());
		String ownPatient = cohort.get("cohort").get(0).get("patient").asText().substring("Patient/".length());
		BackendClient loader = BackendClient.register(dir.resolve("clients.json"), "loader", "system/*.cruds");
		port = ServerProcess.freePort();
		// the browser reaches the server where the issuer says, so the issuer is its
		// address
		base = "http://127.0.0.1:" + port;
		BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(4);
		server = new SpringApplicationBuilder(HemeFhirApplication.class).run("--server.port=" + port,
				"--hemefhir.data-dir=" + dir.resolve("db"), "--hemefhir.security.mode=smart",
				"--hemefhir.security.issuer=" + base, "--hemefhir.security.clients-file=" + dir.resolve("clients.json"),
				"--hemefhir.security.users[0].username=clinician",
				"--hemefhir.security.users[0].password={bcrypt}" + bcrypt.encode(CLINICIAN_PASSWORD),
				"--hemefhir.security.users[0].scopes=user/*.rs", "--hemefhir.security.users[1].username=patient",
				"--hemefhir.security.users[1].password={bcrypt}" + bcrypt.encode(PATIENT_PASSWORD),
				"--hemefhir.security.users[1].scopes=patient/*.rs",
				"--hemefhir.security.users[1].patient=" + ownPatient);
		Runtime.getRuntime().addShutdownHook(new Thread(server::close));
		String token = loader.token(port, base, "system/*.cruds");
		for (JsonNode patient : cohort.get("cohort")) {
			load(token, GeneratedBundles.read(generated.resolve(patient.get("file").asText())));
		}
		casePatient = fhir(token)
			.get("/fhir/Patient?identifier=http://hemefhir.org/fhir/sid/case-tjh-2025-0019|patient")
			.then()
			.statusCode(200)
			.extract()
			.path("entry[0].resource.id");
	}

	/** In slices that each fit the request time budget with validation enforced. */
	private static void load(String token, Bundle bundle) {
		for (Bundle slice : GeneratedBundles.slices(bundle)) {
			fhir(token).contentType("application/fhir+json")
				.body(FHIR.newJsonParser().encodeResourceToString(slice))
				.post("/fhir")
				.then()
				.statusCode(200);
		}
	}

	/** Set here: other test classes of the run change RestAssured's defaults. */
	private static RequestSpecification fhir(String token) {
		return given().baseUri(base)
			.port(port)
			.basePath("")
			.header("Authorization", "Bearer " + token)
			.accept("application/fhir+json");
	}

	@AfterAll
	static void stopServer() {
		if (server != null) {
			server.close();
		}
	}

	/** Opens the viewer, signs in at the authorization server's page, comes back. */
	private static void signIn(Browser browser, String username, String password) {
		browser.open(base + "/viewer/");
		browser.one(".sign-in button.primary").click();
		browser.until(d -> d.getCurrentUrl().contains("/login") ? true : null);
		browser.one("#username").sendKeys(username);
		browser.one("#password").sendKeys(password);
		browser.one("form button[type=submit]").click();
		assertThat(browser.textOf("#signed-in-as", username)).isEqualTo("Signed in as " + username);
		assertThat(browser.driver.getCurrentUrl()).doesNotContain("code=");
	}

	@Test
	void aSignedInClinicianSeesTheCourse() {
		try (Browser browser = new Browser()) {
			browser.open(base + "/viewer/#/patient/" + casePatient);
			// nothing without signing in
			browser.one(".sign-in button.primary");
			assertThat(browser.driver.findElements(By.cssSelector("circle.point"))).isEmpty();
			signIn(browser, "clinician", CLINICIAN_PASSWORD);
			assertThat(browser.one("#granted-scopes").getText()).contains("user/*.rs");
			browser.open(base + "/viewer/#/patient/" + casePatient);
			List<WebElement> anc = browser.all("circle.point.anc");
			assertThat(anc).extracting(p -> p.getDomAttribute("data-day")).contains("30", "31");
			assertThat(browser.one("#outcome-anc .day").getDomAttribute("data-day")).isEqualTo("31");
			browser.screenshot("signed-in-course");
		}
	}

	@Test
	void aTokenWithoutThePatientsScopeSeesNothingOfThem() {
		String own = cohort.get("cohort").get(0).get("patient").asText().substring("Patient/".length());
		try (Browser browser = new Browser()) {
			signIn(browser, "patient", PATIENT_PASSWORD);
			assertThat(browser.one("#granted-scopes").getText()).contains("patient/*.rs").doesNotContain("user/");
			// the token's patient opens at once
			browser.until(d -> d.getCurrentUrl().endsWith("#/patient/" + own) ? true : null);
			browser.all("circle.point.anc");
			// the case's patient: refused, nothing drawn
			browser.open(base + "/viewer/#/patient/" + casePatient);
			browser.textOf("#chart .error", "Cannot read the course");
			assertThat(browser.driver.findElements(By.cssSelector("circle.point"))).isEmpty();
			assertThat(browser.driver.findElements(By.cssSelector(".resource-json"))).isEmpty();
			browser.screenshot("patient-token-refused");
			// the patient list holds only the token's patient
			browser.open(base + "/viewer/#/");
			List<WebElement> listed = browser.all("#patient-results a.patient-link");
			assertThat(listed).extracting(a -> a.getDomAttribute("data-id")).containsExactly(own);
		}
	}

	@Test
	void theCohortViewListsTheGeneratedPatientsWithTheirRecoveryDays() {
		String regimen = cohort.get("cohort").get(0).get("consolidation").get("regimen").asText();
		Map<String, String> intended = new LinkedHashMap<>();
		for (JsonNode p : cohort.get("cohort")) {
			if (p.get("consolidation").get("regimen").asText().equals(regimen)) {
				JsonNode anc = p.get("neutrophilRecovery1.0");
				intended.put(p.get("patient").asText().substring("Patient/".length()),
						anc == null || anc.isNull() ? "not reached" : "day " + anc.get("day").asInt());
			}
		}
		try (Browser browser = new Browser()) {
			signIn(browser, "clinician", CLINICIAN_PASSWORD);
			// the generator's thresholds and comparator (≥ 1.0, ≥ 100)
			browser
				.open(base + "/viewer/#/cohort/" + regimen + "?anc-threshold=1.0&platelet-threshold=100&comparator=ge");
			browser.textOf("#cohort-status", "patients with regimen");
			Map<String, String> shown = new LinkedHashMap<>();
			for (WebElement row : browser.all("#cohort-patients tbody tr")) {
				shown.put(row.getDomAttribute("data-patient"), row.findElements(By.cssSelector("td")).get(0).getText());
			}
			assertThat(shown).containsAllEntriesOf(intended);
			assertThat(browser.all("#cohort-anc rect.bar")).isNotEmpty();
			browser.screenshot("cohort");
			// a bar names its patients, each opening the course
			browser.one("#cohort-anc rect.bar").click();
			WebElement link = browser.one("#cohort-selection a.patient-link");
			link.click();
			browser.all("circle.point.anc");
		}
	}

}
