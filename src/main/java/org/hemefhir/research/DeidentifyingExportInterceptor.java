package org.hemefhir.research;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.bulk.BulkExportJobParameters;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.stereotype.Component;

/**
 * Applies the {@link Deidentifier} to every resource of a bulk export whose kick-off carried
 * {@code _deidentify=true}. The flag travels with the job in its original request URL, so a job
 * resumed by another node or after a restart is still de-identified.
 */
@Component
@Interceptor
class DeidentifyingExportInterceptor {

	private static final Pattern FLAG = Pattern.compile("[?&]_deidentify=true(&|$)");

	private final FhirContext context;
	private final byte[] key;
	private final ResearchProperties properties;

	DeidentifyingExportInterceptor(FhirContext context, ResearchProperties properties) {
		this.context = context;
		this.properties = properties;
		if (properties.pseudonymKey() == null || properties.pseudonymKey().isBlank()) {
			key = new byte[32];
			new SecureRandom().nextBytes(key);
		} else {
			key = properties.pseudonymKey().getBytes(StandardCharsets.UTF_8);
		}
	}

	static boolean requested(String originalRequestUrl) {
		return originalRequestUrl != null && FLAG.matcher(originalRequestUrl).find();
	}

	@Hook(Pointcut.STORAGE_BULK_EXPORT_RESOURCE_INCLUSION)
	public boolean deidentify(BulkExportJobParameters job, IBaseResource resource) {
		if (requested(job.getOriginalRequestUrl())) {
			new Deidentifier(context, key, properties.minDateShiftDays(), properties.maxDateShiftDays(), LocalDate.now())
					.apply(resource);
		}
		return true;
	}
}
