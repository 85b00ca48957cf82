package org.hemefhir.ingest.bulk;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.jobs.imprt.ConsumeFilesStepV2;
import ca.uhn.fhir.batch2.jobs.imprt.FetchFilesStep;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.time.Duration;
import org.hemefhir.fhirserver.FhirServerCustomizer;
import org.hemefhir.system.OperationParameterGuard;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.AutowireCapableBeanFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * FHIR Bulk Data {@code $import}, served by HAPI's batch2 import job (registered with
 * HAPI's batch2 jobs; its provider is not used: {@link BulkImportProvider} checks the
 * sources first and answers the poll without HAPI's 500 for a failed job).
 */
@Configuration
class BulkImportConfig {

	@Bean
	FhirServerCustomizer bulkImport(BulkImportProperties properties, IJobCoordinator jobs, FhirContext context,
			OperationParameterGuard parameterGuard) {
		return (RestfulServer server) -> {
			if (properties.enabled()) {
				server.registerProvider(new BulkImportProvider(jobs, context, properties));
				parameterGuard.accept("$import", BulkImportProvider.PARAMETERS);
			}
		};
	}

	/**
	 * The job's fetching and storing steps, HAPI's beans, become {@link ImportFetchStep}
	 * and {@link ImportFileStep}: the job definition takes its steps from the bean
	 * container, so the job runs ours.
	 */
	@Bean
	static BeanPostProcessor importFileStep() {
		return new StepReplacer();
	}

	private static final class StepReplacer implements BeanPostProcessor, BeanFactoryAware {

		private AutowireCapableBeanFactory beans;

		@Override
		public void setBeanFactory(BeanFactory beanFactory) {
			beans = (AutowireCapableBeanFactory) beanFactory;
		}

		@Override
		public Object postProcessAfterInitialization(Object bean, String name) throws BeansException {
			if (bean instanceof FetchFilesStep hapis) {
				return new ImportFetchStep(hapis, beans.getBean(BulkImportProperties.class).batchSize());
			}
			if (bean instanceof ConsumeFilesStepV2 && !(bean instanceof ImportFileStep)) {
				ImportFileStep step = new ImportFileStep(beans.getBean(FhirContext.class),
						new ChunkOrder(Duration.ofMinutes(2)));
				// HAPI's part of the step (storing through the system DAO) has its
				// fields injected
				beans.autowireBean(step);
				return step;
			}
			return bean;
		}

	}

}
