package org.hemefhir.export;

import ca.uhn.fhir.batch2.maintenance.JobMaintenanceServiceImpl;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The batch2 maintenance pass (which moves export jobs between steps) runs every few
 * seconds.
 */
@Configuration
class BulkExportConfig {

	@Bean
	static BeanPostProcessor exportMaintenanceFrequency() {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessBeforeInitialization(Object bean, String name) {
				if (bean instanceof JobMaintenanceServiceImpl maintenance) {
					maintenance.setScheduledJobFrequencyMillis(5_000);
				}
				return bean;
			}
		};
	}

}
