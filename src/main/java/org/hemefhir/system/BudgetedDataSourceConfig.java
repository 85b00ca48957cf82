package org.hemefhir.system;

import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;

/**
 * Hibernate, and so HAPI, reads and writes through a {@link BudgetedDataSource}:
 * statements run for a request stop when its time budget does. Done here, by wrapping the
 * entity manager factory's data source before it starts, so that the server's database
 * wiring need not know about budgets.
 */
@Configuration
class BudgetedDataSourceConfig {

	@Bean
	static BeanPostProcessor budgetedDataSource() {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessBeforeInitialization(Object bean, String name) {
				if (bean instanceof LocalContainerEntityManagerFactoryBean factory) {
					DataSource dataSource = factory.getDataSource();
					if (dataSource != null && !(dataSource instanceof BudgetedDataSource)) {
						factory.setDataSource(new BudgetedDataSource(dataSource));
					}
				}
				return bean;
			}
		};
	}

}
