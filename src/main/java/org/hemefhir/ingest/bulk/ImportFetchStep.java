package org.hemefhir.ingest.bulk;

import ca.uhn.fhir.batch2.api.IFirstJobStepWorker;
import ca.uhn.fhir.batch2.api.IJobDataSink;
import ca.uhn.fhir.batch2.api.JobExecutionFailedException;
import ca.uhn.fhir.batch2.api.RunOutcome;
import ca.uhn.fhir.batch2.api.StepExecutionDetails;
import ca.uhn.fhir.batch2.api.VoidModel;
import ca.uhn.fhir.batch2.jobs.imprt.BulkImportJobParameters;
import ca.uhn.fhir.batch2.jobs.imprt.NdJsonFileJson;
import jakarta.annotation.Nonnull;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The first step of HAPI's import job: fetches the job's NDJSON files and cuts them into
 * chunks, in an order in which every file comes after the files holding the types its
 * resources reference. HAPI's own step orders the files by the reference search
 * parameters of the base specification, which know nothing of the implementation guide's
 * extensions (a blood count's treatment regimen is a CarePlan, its biopsy a Procedure),
 * so whole files were stored before what they point at and refused by referential
 * integrity. Here the order comes from the references the files actually hold, read in
 * the first of the two passes over each file (the other cuts the chunks; a file is never
 * held in memory whole). Types that reference each other both ways keep the kick-off's
 * order between them. The chunks are numbered by the last line they hold, counted over
 * the job in this order, which is what {@link ChunkOrder} waits on.
 */
final class ImportFetchStep implements IFirstJobStepWorker<BulkImportJobParameters, NdJsonFileJson> {

	/** HAPI's limit: a chunk is also cut at this much NDJSON. */
	static final int CHUNK_CHARS = 2 * 1024 * 1024;

	private static final Set<String> CONTENT_TYPES = Set.of("application/fhir+ndjson", "application/ndjson",
			"application/x-ndjson", "application/fhir+json", "application/json", "text/plain");

	private static final Pattern REFERENCE = Pattern.compile("\"reference\"\\s*:\\s*\"([A-Z][A-Za-z]{1,63})/");

	private static final Pattern TYPE = Pattern.compile("\"resourceType\"\\s*:\\s*\"([A-Z][A-Za-z]{1,63})\"");

	private final IFirstJobStepWorker<BulkImportJobParameters, NdJsonFileJson> byCompartment;

	/** Resources per chunk of a job that names no batch size of its own. */
	private final int defaultBatchSize;

	private final HttpClient http = HttpClient.newBuilder()
		.connectTimeout(Duration.ofSeconds(10))
		.followRedirects(HttpClient.Redirect.NEVER) // only the allowed prefixes are
													// fetched
		.build();

	/**
	 * @param byCompartment HAPI's step, which serves a job that groups its chunks by
	 * compartment instead
	 * @param defaultBatchSize resources per chunk of a job that names no batch size
	 * ({@code hemefhir.bulk-import.batch-size})
	 */
	ImportFetchStep(IFirstJobStepWorker<BulkImportJobParameters, NdJsonFileJson> byCompartment, int defaultBatchSize) {
		this.byCompartment = byCompartment;
		this.defaultBatchSize = defaultBatchSize;
	}

	@Nonnull
	@Override
	public RunOutcome run(@Nonnull StepExecutionDetails<BulkImportJobParameters, VoidModel> details,
			@Nonnull IJobDataSink<NdJsonFileJson> sink) {
		BulkImportJobParameters parameters = details.getParameters();
		String compartment = parameters.getChunkByCompartmentName();
		if (compartment != null && !compartment.isBlank()) {
			return byCompartment.run(details, sink);
		}
		Integer maxResources = parameters.getMaxBatchResourceCount();
		int chunkResources = maxResources == null || maxResources <= 0 ? defaultBatchSize : maxResources;
		String authorization = authorization(parameters.getHttpBasicCredentials());
		List<ImportFile> files = new ArrayList<>();
		for (String url : parameters.getNdJsonUrls()) {
			files.add(survey(url, authorization));
		}
		int line = 0;
		for (ImportFile file : order(files)) {
			line = cut(file.url(), authorization, chunkResources, line, sink);
		}
		return new RunOutcome(0);
	}

	/** What one file holds and references, from a first pass over it. */
	record ImportFile(String url, Set<String> types, Set<String> referenced) {
	}

	/**
	 * The files so that each comes after every file holding a type it references (a
	 * topological order). Files that wait for each other in a cycle go in their listed
	 * order, after whatever the cycle as a whole waits for.
	 */
	static List<ImportFile> order(List<ImportFile> files) {
		List<ImportFile> left = new ArrayList<>(files);
		List<ImportFile> ordered = new ArrayList<>();
		while (!left.isEmpty()) {
			ImportFile next = left.stream()
				.filter(f -> left.stream().noneMatch(o -> o != f && waitsFor(f, o)))
				.findFirst()
				.orElseGet(() -> left.stream()
					.filter(f -> awaited(f, left).stream().allMatch(o -> awaited(o, left).contains(f)))
					.findFirst()
					.orElseThrow());
			left.remove(next);
			ordered.add(next);
		}
		return ordered;
	}

	/** The files among {@code left} that {@code file} waits for, directly or not. */
	private static Set<ImportFile> awaited(ImportFile file, List<ImportFile> left) {
		Set<ImportFile> seen = new HashSet<>();
		List<ImportFile> todo = new ArrayList<>(List.of(file));
		while (!todo.isEmpty()) {
			ImportFile current = todo.remove(todo.size() - 1);
			for (ImportFile other : left) {
				if (other != current && waitsFor(current, other) && seen.add(other)) {
					todo.add(other);
				}
			}
		}
		return seen;
	}

	/**
	 * Whether {@code file} references a type that {@code other} holds (and it does not
	 * itself).
	 */
	private static boolean waitsFor(ImportFile file, ImportFile other) {
		return other.types().stream().anyMatch(t -> file.referenced().contains(t) && !file.types().contains(t));
	}

	private ImportFile survey(String url, String authorization) {
		Set<String> types = new LinkedHashSet<>();
		Set<String> referenced = new HashSet<>();
		try (BufferedReader reader = open(url, authorization)) {
			for (String line = reader.readLine(); line != null; line = reader.readLine()) {
				Matcher type = TYPE.matcher(line);
				if (type.find()) {
					types.add(type.group(1));
				}
				Matcher reference = REFERENCE.matcher(line);
				while (reference.find()) {
					referenced.add(reference.group(1));
				}
			}
		}
		catch (IOException e) {
			throw new JobExecutionFailedException("Could not read " + url + ": " + e.getMessage(), e);
		}
		return new ImportFile(url, types, referenced);
	}

	/**
	 * Sends the chunks of one file.
	 * @return the job's line count after this file
	 */
	private int cut(String url, String authorization, int chunkResources, int linesBefore,
			IJobDataSink<NdJsonFileJson> sink) {
		StringBuilder chunk = new StringBuilder();
		int inChunk = 0;
		int line = linesBefore;
		try (BufferedReader reader = open(url, authorization)) {
			for (String text = reader.readLine(); text != null; text = reader.readLine()) {
				if (text.isBlank()) {
					continue;
				}
				chunk.append(text.strip()).append('\n');
				inChunk++;
				line++;
				if (inChunk >= chunkResources || chunk.length() >= CHUNK_CHARS) {
					send(sink, url, chunk, line);
					inChunk = 0;
				}
			}
		}
		catch (IOException e) {
			throw new JobExecutionFailedException("Could not read " + url + ": " + e.getMessage(), e);
		}
		if (inChunk > 0) {
			send(sink, url, chunk, line);
		}
		return line;
	}

	private static void send(IJobDataSink<NdJsonFileJson> sink, String url, StringBuilder chunk, int lastLine) {
		NdJsonFileJson data = new NdJsonFileJson();
		data.setNdJsonText(chunk.toString());
		data.setSourceName(url);
		data.setBatchLineCount(lastLine);
		data.setBatchLineCountTotal(lastLine);
		sink.accept(data);
		chunk.setLength(0);
	}

	private BufferedReader open(String url, String authorization) throws IOException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		HttpResponse<java.io.InputStream> response;
		try {
			response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted", e);
		}
		if (response.statusCode() != 200) {
			response.body().close();
			throw new JobExecutionFailedException("Received HTTP " + response.statusCode() + " from " + url);
		}
		String contentType = response.headers().firstValue("Content-Type").orElse("");
		String mediaType = contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
		if (!CONTENT_TYPES.contains(mediaType)) {
			response.body().close();
			throw new JobExecutionFailedException("Received content type '" + contentType + "' from " + url
					+ "; an NDJSON file is served as application/fhir+ndjson (or " + String.join(", ", CONTENT_TYPES)
					+ ")");
		}
		return new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
	}

	private static String authorization(String credentials) {
		if (credentials == null || credentials.isBlank()) {
			return null;
		}
		if (credentials.indexOf(':') < 0) {
			throw new JobExecutionFailedException("The HTTP Basic credentials must be 'username:password'");
		}
		return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
	}

}
