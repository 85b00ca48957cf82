package org.hemefhir.export;

import ca.uhn.fhir.batch2.maintenance.JobMaintenanceServiceImpl;
import org.hemefhir.fhirserver.ServerProperties;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The batch2 maintenance pass (which moves export jobs between steps) runs every few
 * seconds ({@code hemefhir.batch-maintenance-interval}) instead of HAPI's minute.
 */
@Configuration
class BulkExportConfig {

	@Bean
	static BeanPostProcessor exportMaintenanceFrequency(Environment environment) {
		// bound here rather than injected: a post-processor is made before the
		// configuration properties beans
		long millis = Binder.get(environment)
			.bindOrCreate("hemefhir", ServerProperties.class)
			.batchMaintenanceInterval()
			.toMillis();
		return new BeanPostProcessor() {
			@Override
			public Object postProcessBeforeInitialization(Object bean, String name) {
				if (bean instanceof JobMaintenanceServiceImpl maintenance) {
					maintenance.setScheduledJobFrequencyMillis(millis);
				}
				return bean;
			}
		};
	}

}
