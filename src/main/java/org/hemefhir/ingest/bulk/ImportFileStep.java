package org.hemefhir.ingest.bulk;

import ca.uhn.fhir.batch2.api.IJobDataSink;
import ca.uhn.fhir.batch2.api.RunOutcome;
import ca.uhn.fhir.batch2.api.StepExecutionDetails;
import ca.uhn.fhir.batch2.jobs.imprt.BulkImportJobParameters;
import ca.uhn.fhir.batch2.jobs.imprt.ConsumeFilesOutcomeJson;
import ca.uhn.fhir.batch2.jobs.imprt.ConsumeFilesStepV2;
import ca.uhn.fhir.batch2.jobs.imprt.NdJsonFileJson;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.dao.TransactionUtil;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import jakarta.annotation.Nonnull;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;

/**
 * The step of HAPI's import job that stores one chunk of an NDJSON file, with the errors
 * a client can act on. HAPI's own step writes the chunk through the system DAO as a
 * transaction (falling back to a batch, entry by entry, when the transaction fails), so
 * every resource meets the profile validation and referential-integrity hooks of a REST
 * write; this one in addition
 * <ul>
 * <li>names each refused resource ({@code Observation/obs-1: ...}) in the job's report;
 * <li>refuses a line that is not a resource on its own, instead of failing the whole job
 * and storing nothing of the chunk;
 * <li>refuses the types the server writes itself or installs from its implementation
 * guide (AuditEvent, Provenance, conformance resources): the job stores as the server,
 * which the validation and authorization rules trust for exactly those types.
 * </ul>
 */
class ImportFileStep extends ConsumeFilesStepV2 {

	static final Set<String> NOT_IMPORTED = Set.of("AuditEvent", "Provenance", "StructureDefinition", "ValueSet",
			"CodeSystem", "SearchParameter", "ImplementationGuide", "NamingSystem", "ConceptMap", "Subscription");

	/** The position HAPI's and our validation messages give inside the chunk's bundle. */
	private static final Pattern ENTRY_PREFIX = Pattern.compile("^(HAPI-\\d+: )?Bundle entry \\d+ \\(\\w+\\): ");

	private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]{1,64})\"");

	private static final Pattern TYPE = Pattern.compile("\"resourceType\"\\s*:\\s*\"([A-Za-z]{1,64})\"");

	private final FhirContext context;

	ImportFileStep(FhirContext context) {
		this.context = context;
	}

	@Nonnull
	@Override
	public RunOutcome run(@Nonnull StepExecutionDetails<BulkImportJobParameters, NdJsonFileJson> details,
			@Nonnull IJobDataSink<ConsumeFilesOutcomeJson> sink) {
		String source = details.getData().getSourceName();
		ConsumeFilesOutcomeJson outcome = new ConsumeFilesOutcomeJson();
		outcome.setSourceName(source);
		IParser parser = context.newJsonParser();
		List<IBaseResource> resources = new ArrayList<>();
		for (String line : details.getData().getNdJsonText().split("\n")) {
			if (line.isBlank()) {
				continue;
			}
			IBaseResource resource;
			try {
				resource = parser.parseResource(line);
			}
			catch (DataFormatException e) {
				outcome.addError(describe(line) + " is not a valid FHIR R4 resource: " + oneLine(e.getMessage()));
				continue;
			}
			if (NOT_IMPORTED.contains(resource.fhirType())) {
				outcome.addError(name(resource.getIdElement(), resource.fhirType()) + ": bulk import does not load "
						+ resource.fhirType() + " (the server records or installs those itself)");
				continue;
			}
			resources.add(resource);
		}
		if (!resources.isEmpty()) {
			TransactionUtil.TransactionResponse response = storeResources(resources,
					details.getParameters().getPartitionId());
			for (TransactionUtil.StorageOutcome stored : response.getStorageOutcomes()) {
				if (stored.getStorageResponseCode() != null) {
					outcome.addOutcome(stored.getStorageResponseCode());
				}
				if (stored.getErrorMessage() != null && !stored.getErrorMessage().isBlank()) {
					outcome.addError(name(stored.getSourceId(), "A resource") + ": "
							+ ENTRY_PREFIX.matcher(oneLine(stored.getErrorMessage())).replaceFirst(""));
				}
			}
		}
		sink.accept(outcome);
		return new RunOutcome(resources.size());
	}

	private static String name(IIdType id, String fallback) {
		if (id == null || !id.hasIdPart()) {
			return fallback + " without an id";
		}
		return id.toUnqualifiedVersionless().getValue();
	}

	/** A line that did not parse, by what it seems to be. */
	private static String describe(String line) {
		Matcher type = TYPE.matcher(line);
		Matcher id = ID.matcher(line);
		if (type.find() && id.find()) {
			return type.group(1) + "/" + id.group(1);
		}
		String start = line.strip();
		return "The line starting '" + (start.length() > 40 ? start.substring(0, 40) + "...'" : start + "'");
	}

	private static String oneLine(String message) {
		return message == null ? "" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
	}

}
