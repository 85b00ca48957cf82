package org.hemefhir.fhirserver;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect;
import jakarta.persistence.EntityManagerFactory;
import java.util.Properties;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;
import org.springframework.util.StringUtils;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The database under HAPI JPA: embedded H2 in file mode under {@code hemefhir.data-dir}
 * unless {@code spring.datasource.url} names another database (PostgreSQL for scale).
 */
@Configuration
class DatabaseConfig {

	@Bean
	@Primary
	@ConfigurationProperties("spring.datasource.hikari")
	HikariDataSource dataSource(DataSourceProperties properties, ServerProperties server) {
		if (!StringUtils.hasText(properties.getUrl())) {
			properties.setUrl(EmbeddedDatabase.url(server.dataDir()));
			properties.setUsername("sa");
			properties.setPassword("");
		}
		return properties.initializeDataSourceBuilder().type(HikariDataSource.class).build();
	}

	/** The schema is migrated before Hibernate starts, which then only validates it. */
	@Bean
	SchemaMigration schemaMigration(DataSource dataSource, DataSourceProperties properties) {
		SchemaMigration migration = new SchemaMigration(dataSource, properties.getUrl());
		migration.migrate(false);
		return migration;
	}

	@Bean
	@Primary
	LocalContainerEntityManagerFactoryBean entityManagerFactory(DataSource dataSource,
			ConfigurableListableBeanFactory beanFactory, FhirContext fhirContext, JpaStorageSettings storageSettings,
			DataSourceProperties dataSourceProperties, SchemaMigration migratedFirst) {
		LocalContainerEntityManagerFactoryBean factory = HapiEntityManagerFactoryUtil
			.newEntityManagerFactory(beanFactory, fhirContext, storageSettings);
		factory.setPersistenceUnitName("HEMEFHIR_PU");
		factory.setDataSource(dataSource);
		factory.setJpaProperties(hibernateProperties(dataSourceProperties.getUrl()));
		return factory;
	}

	private static Properties hibernateProperties(String jdbcUrl) {
		Properties p = new Properties();
		boolean postgres = jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:");
		p.put("hibernate.dialect",
				postgres ? HapiFhirPostgresDialect.class.getName() : HapiFhirH2Dialect.class.getName());
		p.put("hibernate.hbm2ddl.auto", "validate");
		p.put("hibernate.format_sql", "false");
		p.put("hibernate.show_sql", "false");
		p.put("hibernate.jdbc.batch_size", "20");
		p.put("hibernate.cache.use_query_cache", "false");
		p.put("hibernate.cache.use_second_level_cache", "false");
		p.put("hibernate.cache.use_structured_entries", "false");
		p.put("hibernate.cache.use_minimal_puts", "false");
		// Full-text indexing (Lucene/Elasticsearch) is not used: searches run on the JPA
		// indexes.
		p.put("hibernate.search.enabled", "false");
		return p;
	}

	@Bean
	@Primary
	JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
		return new JpaTransactionManager(entityManagerFactory);
	}

}
