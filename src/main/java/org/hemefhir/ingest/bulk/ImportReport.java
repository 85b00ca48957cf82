package org.hemefhir.ingest.bulk;

import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * The report HAPI's import job writes when it ends (per source file: the storage outcomes
 * counted, then the errors, one per line), as the OperationOutcome a poll answers with.
 *
 * @param text the report, or null when the job stopped before writing one
 * @param errors the errors it lists: each names the resource refused and why
 */
record ImportReport(String text, List<String> errors) {

	private static final String ERROR_LINE = "    * ";

	/** Longest message quoted from a job that stopped, which may be anything. */
	private static final int MAX_MESSAGE = 2000;

	static ImportReport of(String text) {
		List<String> errors = new ArrayList<>();
		if (text != null) {
			boolean inErrors = false;
			for (String line : text.split("\n")) {
				if (!line.startsWith("  ")) {
					inErrors = false;
				}
				else if (line.trim().equals("Errors:")) {
					inErrors = true;
				}
				else if (line.trim().endsWith(":") && !line.startsWith(ERROR_LINE)) {
					inErrors = false;
				}
				else if (inErrors && line.startsWith(ERROR_LINE)) {
					errors.add(line.substring(ERROR_LINE.length()));
				}
			}
		}
		return new ImportReport(text, errors);
	}

	/** Every resource was stored: the report, as information. */
	OperationOutcome summary(String jobId) {
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
			.setSeverity(IssueSeverity.INFORMATION)
			.setCode(IssueType.INFORMATIONAL)
			.setDiagnostics("Bulk import job " + jobId + " completed" + (text == null ? "" : "\n" + text));
		return outcome;
	}

	/**
	 * The job failed: one error per refused resource, or the reason it stopped (a source
	 * that could not be fetched, say); the report, if any, closes the list.
	 */
	OperationOutcome failure(String jobId, String jobError) {
		OperationOutcome outcome = new OperationOutcome();
		if (errors.isEmpty()) {
			outcome.addIssue()
				.setSeverity(IssueSeverity.ERROR)
				.setCode(IssueType.PROCESSING)
				.setDiagnostics("Bulk import job " + jobId + " failed: " + firstLine(jobError));
		}
		else {
			outcome.addIssue()
				.setSeverity(IssueSeverity.ERROR)
				.setCode(IssueType.PROCESSING)
				.setDiagnostics("Bulk import job " + jobId + " ended with " + errors.size()
						+ " resource(s) refused; the others were stored");
			errors.forEach(error -> outcome.addIssue()
				.setSeverity(IssueSeverity.ERROR)
				.setCode(IssueType.INVALID)
				.setDiagnostics(error));
		}
		if (text != null) {
			outcome.addIssue()
				.setSeverity(IssueSeverity.INFORMATION)
				.setCode(IssueType.INFORMATIONAL)
				.setDiagnostics(text);
		}
		return outcome;
	}

	/**
	 * A job's error message is an exception's: its first line, bounded, never a trace.
	 */
	private static String firstLine(String message) {
		if (message == null || message.isBlank()) {
			return "no reason was recorded";
		}
		String first = message.strip().lines().findFirst().orElse("");
		return first.length() > MAX_MESSAGE ? first.substring(0, MAX_MESSAGE) + "..." : first;
	}

}
