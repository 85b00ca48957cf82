package org.hemefhir.export;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.bulk.BulkExportJobParameters;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import org.hemefhir.fhirserver.ServerProperties;
import org.hemefhir.fhirserver.SharedKeys;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Parameters;
import org.springframework.stereotype.Component;

/**
 * Applies the {@link Deidentifier} to every resource of a bulk export whose kick-off
 * carried {@code _deidentify=true} (in the URL of a GET kick-off or the Parameters body
 * of a POST one). The flag travels with the job in its original request URL, so a job
 * resumed by another node or after a restart is still de-identified.
 */
@Component
@Interceptor
class DeidentifyingExportInterceptor {

	static final String PARAMETER = "_deidentify";

	private static final Pattern FLAG = Pattern.compile("[?&]_deidentify=true(&|$)");

	private final FhirContext context;

	private final byte[] key;

	private final DeidentificationProperties properties;

	DeidentifyingExportInterceptor(FhirContext context, DeidentificationProperties properties, ServerProperties server,
			SharedKeys keys) {
		this.context = context;
		this.properties = properties;
		if (properties.pseudonymKey() == null || properties.pseudonymKey().isBlank()) {
			key = storedKey(keys, server.dataDir());
		}
		else {
			key = properties.pseudonymKey().getBytes(StandardCharsets.UTF_8);
		}
	}

	/**
	 * Without a configured key, one is made on first use and kept in the database, so
	 * pseudonyms and date shifts stay the same across restarts and on every node.
	 */
	static byte[] storedKey(SharedKeys keys, Path dataDir) {
		return HexFormat.of().parseHex(keys.getOrCreate(SharedKeys.Key.DEIDENTIFICATION, dataDir, () -> {
			byte[] fresh = new byte[32];
			new SecureRandom().nextBytes(fresh);
			return HexFormat.of().formatHex(fresh);
		}));
	}

	static boolean requested(String originalRequestUrl) {
		return originalRequestUrl != null && FLAG.matcher(originalRequestUrl).find();
	}

	/**
	 * A POST kick-off carries its parameters in a Parameters body, not in the URL; the
	 * flag is moved into the job's original request URL, where every node that works on
	 * the job finds it.
	 */
	@Hook(Pointcut.STORAGE_PRE_INITIATE_BULK_EXPORT)
	public void carryFlagOfPostKickOff(BulkExportJobParameters job, RequestDetails request) {
		refuseUnclearFlag(request);
		if (request != null && request.getResource() instanceof Parameters parameters
				&& parameters.getParameter().stream().anyMatch(DeidentifyingExportInterceptor::isDeidentifyTrue)
				&& !requested(job.getOriginalRequestUrl())) {
			String url = job.getOriginalRequestUrl() == null ? "" : job.getOriginalRequestUrl();
			job.setOriginalRequestUrl(url + (url.contains("?") ? "&" : "?") + "_deidentify=true");
		}
	}

	/**
	 * "_deidentify=yes" must not quietly export identifiable data: a value other than
	 * true or false (FHIR booleans are lower case) is a 400.
	 */
	private static void refuseUnclearFlag(RequestDetails request) {
		if (request == null) {
			return;
		}
		List<String> values = new ArrayList<>();
		String[] inUrl = request.getParameters().get(PARAMETER);
		if (inUrl != null) {
			values.addAll(Arrays.asList(inUrl));
		}
		if (request.getResource() instanceof Parameters parameters) {
			parameters.getParameter()
				.stream()
				.filter(p -> PARAMETER.equals(p.getName()))
				.forEach(p -> values.add(p.getValue() == null ? null : p.getValue().primitiveValue()));
		}
		for (String value : values) {
			if (!"true".equals(value) && !"false".equals(value)) {
				throw new InvalidRequestException(
						"_deidentify must be true or false, not '" + value + "'; nothing was exported");
			}
		}
		if (values.contains("true") && values.contains("false")) {
			throw new InvalidRequestException("_deidentify is given as both true and false; nothing was exported");
		}
	}

	private static boolean isDeidentifyTrue(Parameters.ParametersParameterComponent parameter) {
		return PARAMETER.equals(parameter.getName()) && parameter.getValue() != null
				&& "true".equalsIgnoreCase(parameter.getValue().primitiveValue());
	}

	@Hook(Pointcut.STORAGE_BULK_EXPORT_RESOURCE_INCLUSION)
	public boolean deidentify(BulkExportJobParameters job, IBaseResource resource) {
		if (requested(job.getOriginalRequestUrl())) {
			new Deidentifier(context, key, properties.minDateShiftDays(), properties.maxDateShiftDays(),
					LocalDate.now())
				.apply(resource);
		}
		return true;
	}

}
