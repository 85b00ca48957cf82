package org.hemefhir.export;

import ca.uhn.fhir.batch2.jobs.export.BulkDataExportProvider;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.rest.server.RestfulServer;
import org.hemefhir.fhirserver.FhirServerCustomizer;
import org.hemefhir.system.OperationParameterGuard;
import org.springframework.stereotype.Component;

/**
 * FHIR Bulk Data {@code $export} at system, {@code Patient} and {@code Group/[id]} level,
 * served by HAPI's batch2 export job (its beans come with HAPI's JPA configuration; only
 * the provider needs registering), plus the de-identification applied when the kick-off
 * asks for it.
 */
@Component
class BulkExportCustomizer implements FhirServerCustomizer {

	private final BulkDataExportProvider exportProvider;

	private final JpaStorageSettings storageSettings;

	private final DeidentifyingExportInterceptor deidentifying;

	private final ExportPollGuard pollGuard;

	private final OperationParameterGuard parameterGuard;

	BulkExportCustomizer(BulkDataExportProvider exportProvider, JpaStorageSettings storageSettings,
			DeidentifyingExportInterceptor deidentifying, ExportPollGuard pollGuard,
			OperationParameterGuard parameterGuard) {
		this.exportProvider = exportProvider;
		this.storageSettings = storageSettings;
		this.deidentifying = deidentifying;
		this.pollGuard = pollGuard;
		this.parameterGuard = parameterGuard;
	}

	@Override
	public void customize(RestfulServer server) {
		storageSettings.setEnableTaskBulkExportJobExecution(true);
		// A kick-off always starts its own job: a plain and a de-identified export of the
		// same
		// data must never share files.
		storageSettings.setEnableBulkExportJobReuse(false);
		// Small jobs advance as soon as a step finishes instead of waiting for the next
		// maintenance pass.
		storageSettings.setJobFastTrackingEnabled(true);
		server.registerProvider(exportProvider);
		server.registerInterceptor(deidentifying);
		parameterGuard.accept("$export", DeidentifyingExportInterceptor.PARAMETER);
		server.registerInterceptor(pollGuard);
	}

}
