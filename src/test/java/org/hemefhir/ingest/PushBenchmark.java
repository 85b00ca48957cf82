package org.hemefhir.ingest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Pushes a stream of lab results to a running server as transaction bundles of 50
 * conditional creates, with validation on, and prints throughput and latency. Not a test:
 * run it by hand against {@code java -jar target/hemefhir.jar} (figures in
 * docs/benchmarks.md).
 *
 * <pre>java -cp target/test-classes org.hemefhir.ingest.PushBenchmark http://localhost:8080/fhir 60</pre>
 */
public final class PushBenchmark {

	private static final int BUNDLE_SIZE = 50;

	public static void main(String[] args) throws Exception {
		String base = args.length > 0 ? args[0] : "http://localhost:8080/fhir";
		int bundles = args.length > 1 ? Integer.parseInt(args[1]) : 60;
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
		String run = UUID.randomUUID().toString().substring(0, 8);

		String patientId = post(http, base + "/Patient",
				"""
						{"resourceType":"Patient","identifier":[{"system":"urn:bench:mrn","value":"%s"}],"gender":"female","birthDate":"1964"}
						"""
					.formatted(run))
			.headers()
			.firstValue("Location")
			.orElseThrow()
			.replaceAll(".*/Patient/([^/]+)/.*", "$1");

		// Warm-up: the first bundles pay for JIT and per-thread validator set-up.
		for (int i = 0; i < 3; i++) {
			post(http, base, bundle(patientId, run + "-warm" + i));
		}
		List<Long> latencies = new ArrayList<>();
		long start = System.nanoTime();
		for (int i = 0; i < bundles; i++) {
			long t0 = System.nanoTime();
			post(http, base, bundle(patientId, run + "-" + i));
			latencies.add(System.nanoTime() - t0);
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		Collections.sort(latencies);
		System.out.printf(
				"%d transaction bundles x %d observations in %.1f s: %.0f resources/s, bundle latency p50 %d ms, p95 %d ms%n",
				bundles, BUNDLE_SIZE, seconds, bundles * BUNDLE_SIZE / seconds,
				latencies.get(latencies.size() / 2) / 1_000_000,
				latencies.get((int) (latencies.size() * 0.95)) / 1_000_000);
	}

	private static String bundle(String patientId, String key) {
		StringBuilder entries = new StringBuilder();
		for (int n = 0; n < BUNDLE_SIZE; n++) {
			String identifier = key + "-" + n;
			if (n > 0) {
				entries.append(',');
			}
			entries
				.append("""
						{"resource":{"resourceType":"Observation","status":"final",
						  "identifier":[{"system":"urn:bench:obs","value":"%s"}],
						  "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
						  "code":{"coding":[{"system":"http://loinc.org","code":"751-8"}]},
						  "subject":{"reference":"Patient/%s"},"effectiveDateTime":"2024-05-01T08:00:00Z",
						  "valueQuantity":{"value":%d.%d,"unit":"10*9/L","system":"http://unitsofmeasure.org","code":"10*9/L"}},
						 "request":{"method":"POST","url":"Observation","ifNoneExist":"identifier=urn:bench:obs|%s"}}
						"""
					.formatted(identifier, patientId, n % 5, n % 10, identifier));
		}
		return "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entries + "]}";
	}

	private static HttpResponse<String> post(HttpClient http, String url, String body) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create(url))
			.header("Content-Type", "application/fhir+json")
			.header("Prefer", "return=minimal")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() >= 300) {
			throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
		}
		return response;
	}

}
