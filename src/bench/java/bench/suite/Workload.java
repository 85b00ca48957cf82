package bench.suite;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * HTTP helpers and the research queries the search phase times, built from the first
 * patient of the cohort.
 */
final class Workload {

	static final String LOINC = "http://loinc.org";

	static final String OBSERVATION_CODE = "http://hemefhir.org/fhir/CodeSystem/observation-code";

	static final String V2_0487 = "http://terminology.hl7.org/CodeSystem/v2-0487";

	static final String NEGATIVE = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation%7CNEG";

	static final String REGIMEN_CODE = "http://hemefhir.org/fhir/StructureDefinition/regimen-code";

	private Workload() {
	}

	static HttpResponse<String> get(HttpClient http, String url, String accept)
			throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(url))
			.timeout(Duration.ofMinutes(5))
			.header("Accept", accept)
			.GET()
			.build();
		return http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	static HttpResponse<String> post(HttpClient http, String url, String body, String... headers)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
			.timeout(Duration.ofMinutes(10))
			.header("Content-Type", "application/fhir+json")
			.header("Accept", "application/fhir+json")
			.POST(HttpRequest.BodyPublishers.ofString(body));
		for (int i = 0; i + 1 < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	static HttpResponse<String> put(HttpClient http, String url, String body) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(url))
			.timeout(Duration.ofMinutes(2))
			.header("Content-Type", "application/fhir+json")
			.PUT(HttpRequest.BodyPublishers.ofString(body))
			.build();
		return http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	/** The first lines of an error body, for a reason in the table. */
	static String brief(HttpResponse<String> response) {
		String body = response.body() == null ? "" : response.body();
		int at = body.indexOf("\"diagnostics\"");
		String text = at >= 0 ? body.substring(at + 15) : body;
		text = text.replaceAll("\\s+", " ");
		return "HTTP " + response.statusCode() + ": " + (text.length() > 160 ? text.substring(0, 160) + "…" : text);
	}

	/** A query or operation of the search phase; {@code run} answers how many results. */
	interface Query {

		int run(HttpClient http, String fhirBase) throws Exception;

	}

	record NamedQuery(String name, Query query) {
	}

	/** Every page of a search (following {@code next}); the number of entries. */
	static int allPages(HttpClient http, String url) throws Exception {
		int entries = 0;
		String next = url;
		while (next != null) {
			JsonNode bundle = json(get(http, next, "application/fhir+json"));
			entries += bundle.path("entry").size();
			next = null;
			for (JsonNode link : bundle.path("link")) {
				if ("next".equals(link.path("relation").asText())) {
					next = link.path("url").asText();
				}
			}
		}
		return entries;
	}

	static JsonNode json(HttpResponse<String> response) throws IOException {
		if (response.statusCode() != 200) {
			throw new Refused(brief(response));
		}
		return Cohort.JSON.readTree(response.body());
	}

	/** A query the server answered with an error: reported, not retried. */
	static final class Refused extends IOException {

		Refused(String message) {
			super(message);
		}

	}

	/** What the queries need to know of the first patient. */
	record FirstPatient(String id, String identifierSystem, String identifierValue, LocalDate daraStart) {

		static FirstPatient of(Path bundle) throws IOException {
			JsonNode tree = Cohort.JSON.readTree(bundle.toFile());
			String id = null;
			String system = null;
			String value = null;
			LocalDate dara = null;
			for (JsonNode entry : tree.path("entry")) {
				JsonNode resource = entry.path("resource");
				String type = resource.path("resourceType").asText();
				if ("Patient".equals(type) && id == null) {
					id = resource.path("id").asText(null);
					if (id == null) {
						id = entry.path("request").path("url").asText().replace("Patient/", "");
					}
					JsonNode identifier = resource.path("identifier").path(0);
					system = identifier.path("system").asText(null);
					value = identifier.path("value").asText(null);
				}
				if ("CarePlan".equals(type) && resource.toString().contains("\"dara-va-haa\"")) {
					String start = resource.path("period").path("start").asText("");
					if (start.length() >= 10) {
						dara = LocalDate.parse(start.substring(0, 10));
					}
				}
			}
			if (id == null) {
				throw new IOException("no Patient in " + bundle);
			}
			return new FirstPatient(id, system, value, dara == null ? LocalDate.of(2024, 4, 1) : dara);
		}

	}

	/**
	 * The case's research queries (docs/research.md, sample-bundles/README.md) for one
	 * patient, and the population queries.
	 */
	static List<NamedQuery> queries(FirstPatient p) {
		String patient = p.id();
		LocalDate from = p.daraStart().plusDays(29);
		LocalDate to = p.daraStart().plusDays(36);
		List<NamedQuery> queries = new ArrayList<>();
		queries.add(new NamedQuery("MRD by specimen (marrow), one patient",
				(http, base) -> allPages(http, base + "/Observation?patient=" + patient + "&code=" + OBSERVATION_CODE
						+ "%7Cmrd-flow-presence&specimen:Specimen.type=" + V2_0487 + "%7CMAR&_sort=date")));
		queries.add(new NamedQuery("blood counts in a date range, one patient",
				(http, base) -> allPages(http, base + "/Observation?patient=" + patient + "&category=laboratory&code="
						+ LOINC + "%7C751-8," + LOINC + "%7C777-3&date=ge" + from + "&date=le" + to + "&_sort=date")));
		queries.add(new NamedQuery("first ANC > 1.0, one patient",
				(http, base) -> json(get(http, base + "/Observation?patient=" + patient + "&code=" + LOINC
						+ "%7C751-8&value-quantity=gt1.0%7Chttp://unitsofmeasure.org%7C10*9/L&_sort=date&_count=1",
						"application/fhir+json"))
					.path("entry")
					.size()));
		queries.add(new NamedQuery("blood counts by treatment day 1–40 of Dara-VA-HAA, one patient",
				(http, base) -> allPages(http,
						base + "/Observation?patient=" + patient + "&code=" + LOINC + "%7C751-8," + LOINC
								+ "%7C777-3&treatment-day=ge1&treatment-day=le40"
								+ "&treatment-day-anchor:CarePlan.regimen-code=dara-va-haa&_sort=date")));
		queries.add(new NamedQuery("adverse events of grade 3, one patient",
				(http, base) -> allPages(http, base + "/AdverseEvent?subject=Patient/" + patient + "&ctcae-grade=3")));
		queries.add(new NamedQuery("$everything, one patient",
				(http, base) -> allPages(http, base + "/Patient/" + patient + "/$everything?_count=500")));
		queries
			.add(new NamedQuery("$outcomes, one patient",
					(http, base) -> json(get(http,
							base + "/Patient/" + patient + "/$outcomes?anc-threshold=1.0&platelet-threshold=100",
							"application/fhir+json"))
						.path("parameter")
						.size()));
		queries.add(
				new NamedQuery("$treatment-timeline, one patient",
						(http, base) -> json(get(http,
								base + "/Patient/" + patient + "/$treatment-timeline?_format=json", "application/json"))
							.path("events")
							.size()));
		queries.add(new NamedQuery("population: marrow MRD negative in days 1–60 of Dara-VA-HAA (one search)",
				(http, base) -> distinctSubjects(http, base + "/Observation?code=" + OBSERVATION_CODE
						+ "%7Cmrd-flow-presence&value-concept=" + NEGATIVE + "&specimen:Specimen.type=" + V2_0487
						+ "%7CMAR&treatment-day=ge1&treatment-day=le60"
						+ "&treatment-day-anchor:CarePlan.regimen-code=dara-va-haa&_elements=subject&_count=500")));
		queries.add(new NamedQuery("population: marrow MRD negative within 60 days of Dara-VA-HAA (2 searches + join)",
				Workload::mrdNegativeJoin));
		queries.add(new NamedQuery("population: adverse events grade ≥ 3 of Dara-VA-HAA", (http, base) -> allPages(http,
				base + "/AdverseEvent?ctcae-grade=3,4,5" + "&regimen:CarePlan.regimen-code=dara-va-haa&_count=500")));
		return queries;
	}

	private static int distinctSubjects(HttpClient http, String url) throws Exception {
		Set<String> subjects = new HashSet<>();
		forEachResource(http, url, r -> subjects.add(r.path("subject").path("reference").asText()));
		return subjects.size();
	}

	/**
	 * Standard search parameters only, so the stock server answers it too: every CarePlan
	 * whose regimen-code extension is dara-va-haa gives its subject's start; every
	 * negative marrow MRD (flow) gives its subject and date; a patient counts when a
	 * negative falls on days 0–60 after the start.
	 */
	private static int mrdNegativeJoin(HttpClient http, String base) throws Exception {
		Map<String, LocalDate> starts = new HashMap<>();
		forEachResource(http, base + "/CarePlan?_count=500", plan -> {
			for (JsonNode extension : plan.path("extension")) {
				if (REGIMEN_CODE.equals(extension.path("url").asText())
						&& extension.toString().contains("\"dara-va-haa\"")) {
					String start = plan.path("period").path("start").asText("");
					if (start.length() >= 10) {
						starts.merge(plan.path("subject").path("reference").asText(),
								LocalDate.parse(start.substring(0, 10)), (a, b) -> a.isBefore(b) ? a : b);
					}
				}
			}
		});
		Set<String> matched = new HashSet<>();
		forEachResource(http,
				base + "/Observation?code=" + OBSERVATION_CODE + "%7Cmrd-flow-presence&value-concept=" + NEGATIVE
						+ "&specimen:Specimen.type=" + V2_0487 + "%7CMAR&_elements=subject,effective&_count=500",
				obs -> {
					String subject = obs.path("subject").path("reference").asText();
					LocalDate start = starts.get(subject);
					String when = obs.path("effectiveDateTime").asText("");
					if (start != null && when.length() >= 10) {
						LocalDate date = LocalDate.parse(when.substring(0, 10));
						if (!date.isBefore(start) && !date.isAfter(start.plusDays(60))) {
							matched.add(subject);
						}
					}
				});
		return matched.size();
	}

	interface ResourceVisitor {

		void visit(JsonNode resource) throws Exception;

	}

	static void forEachResource(HttpClient http, String url, ResourceVisitor visitor) throws Exception {
		String next = url;
		while (next != null) {
			JsonNode bundle = json(get(http, next, "application/fhir+json"));
			for (JsonNode entry : bundle.path("entry")) {
				visitor.visit(entry.path("resource"));
			}
			next = null;
			for (JsonNode link : bundle.path("link")) {
				if ("next".equals(link.path("relation").asText())) {
					next = link.path("url").asText();
				}
			}
		}
	}

	/** p-th percentile (nearest rank) of the values, in the values' unit. */
	static double percentile(List<Double> values, double p) {
		List<Double> sorted = new ArrayList<>(values);
		Collections.sort(sorted);
		int rank = (int) Math.ceil(p / 100.0 * sorted.size());
		return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
	}

	static String read(Path file) throws IOException {
		return Files.readString(file);
	}

}
