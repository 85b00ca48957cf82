package org.hemefhir.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * A write refused because the resource breaks its profile: the 422 a REST client gets
 * (with its OperationOutcome), and the same findings as typed issues for callers that
 * report them otherwise, such as the HL7 v2 ACK.
 */
public class ProfileViolationException extends UnprocessableEntityException {

	/**
	 * One finding.
	 *
	 * @param entry position of the resource in the transaction or batch bundle, or null
	 * @param resourceType type of the refused resource
	 * @param path FHIRPath of the element within the resource
	 * ({@code Observation.value.ofType(Quantity)}), or null
	 * @param profile canonical URL of the profile the resource was validated against, or
	 * null
	 * @param message what is wrong
	 */
	public record Issue(Integer entry, String resourceType, String path, String profile, String message) {

		/**
		 * The first element name under the resource ({@code value} for
		 * {@code Observation.value.ofType(Quantity)}), or "".
		 */
		public String element() {
			if (path == null || !path.startsWith(resourceType + ".")) {
				return "";
			}
			String rest = path.substring(resourceType.length() + 1);
			int end = 0;
			while (end < rest.length() && Character.isLetter(rest.charAt(end))) {
				end++;
			}
			return rest.substring(0, end);
		}
	}

	private final transient List<Issue> issues;

	ProfileViolationException(FhirContext context, OperationOutcome outcome, List<Issue> issues) {
		super(context, outcome);
		this.issues = List.copyOf(issues);
	}

	public List<Issue> issues() {
		return issues;
	}

}
