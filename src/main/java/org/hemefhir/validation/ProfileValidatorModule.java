package org.hemefhir.validation;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.validation.IInstanceValidatorModule;
import ca.uhn.fhir.validation.IValidationContext;
import java.util.TreeSet;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * HAPI's validator-module interface over {@link ProfileValidator}; serves
 * {@code $validate}.
 */
class ProfileValidatorModule implements IInstanceValidatorModule {

	private final ProfileValidator validator;

	ProfileValidatorModule(ProfileValidator validator) {
		this.validator = validator;
	}

	@Override
	public void validateResource(IValidationContext<IBaseResource> context) {
		String profile = context.getOptions()
			.getProfiles()
			.stream()
			.findFirst()
			.map(ProfileValidatorModule::uri)
			.orElse(null);
		if (profile != null && !validator.isKnownProfile(profile)) {
			// A profile the server does not hold is a bad parameter, not a finding about
			// the resource.
			throw new InvalidRequestException("Unknown profile '" + profile
					+ "': it is neither a HemeFHIR profile nor a FHIR R4 core definition. HemeFHIR profiles: "
					+ String.join(", ", new TreeSet<>(validator.profileUrls())));
		}
		validator.validate(context.getResource(), profile).getMessages().forEach(context::addValidationMessage);
	}

	/**
	 * HAPI hands the profile parameter over as "UriType[url]" when it came in a
	 * Parameters body.
	 */
	private static String uri(String raw) {
		String value = raw.trim();
		return value.startsWith("UriType[") && value.endsWith("]") ? value.substring(8, value.length() - 1) : value;
	}

}
