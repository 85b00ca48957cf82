package bench.stock;

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.config.SubscriptionSettings;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect;
import ca.uhn.fhir.jpa.provider.IJpaSystemProvider;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.persistence.EntityManagerFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;
import org.springframework.transaction.annotation.EnableTransactionManagement;

/**
 * The baseline of the benchmark suite: a stock HAPI FHIR JPA server of the HAPI version
 * HemeFHIR is built on, wired from the Maven Central artifacts only. Default
 * {@link JpaStorageSettings}, file-mode H2, no validation, no HemeFHIR interceptor: what
 * a user would run instead (as the HAPI starter does, minus its options). Kept outside
 * {@code org.hemefhir} so that no HemeFHIR component scan ever finds it, and compiled
 * only by the {@code bench} Maven profile.
 *
 * <pre>java -Xmx1g -cp ... bench.stock.StockHapiServer --server.port=8090 --stock.data-dir=DIR</pre>
 */
@SpringBootApplication(excludeName = {
		"org.springframework.boot.autoconfigure.security.servlet.SecurityAutoConfiguration",
		"org.springframework.boot.autoconfigure.security.servlet.SecurityFilterAutoConfiguration",
		"org.springframework.boot.autoconfigure.security.servlet.UserDetailsServiceAutoConfiguration",
		"org.springframework.boot.actuate.autoconfigure.security.servlet.ManagementWebSecurityAutoConfiguration",
		"org.springframework.boot.autoconfigure.security.oauth2.resource.servlet.OAuth2ResourceServerAutoConfiguration",
		"org.springframework.boot.autoconfigure.security.oauth2.server.servlet.OAuth2AuthorizationServerAutoConfiguration",
		"org.springframework.boot.autoconfigure.security.oauth2.server.servlet.OAuth2AuthorizationServerJwtAutoConfiguration",
		"org.springframework.boot.autoconfigure.security.oauth2.client.servlet.OAuth2ClientAutoConfiguration",
		"org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchClientAutoConfiguration",
		"org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchRestClientAutoConfiguration",
		"org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration",
		"org.springframework.boot.autoconfigure.quartz.QuartzAutoConfiguration",
		"org.springframework.boot.autoconfigure.thymeleaf.ThymeleafAutoConfiguration" })
@EnableTransactionManagement
@Import({ JpaR4Config.class, HapiJpaConfig.class, ThreadPoolFactoryConfig.class, JpaBatch2Config.class,
		Batch2JobsConfig.class, SubscriptionChannelConfig.class })
public class StockHapiServer {

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(StockHapiServer.class);
		// HemeFHIR's application.yaml is on the same class path: read none of it
		application.setDefaultProperties(Map.of("spring.config.name", "stock-hapi", "spring.main.banner-mode", "off",
				"spring.main.allow-bean-definition-overriding", "true", "spring.main.allow-circular-references", "true",
				"spring.jpa.open-in-view", "false", "spring.batch.job.enabled", "false",
				"management.endpoints.web.exposure.include", "health", "server.address", "127.0.0.1"));
		application.run(args);
	}

	@Bean
	JpaStorageSettings jpaStorageSettings() {
		return new JpaStorageSettings();
	}

	@Bean
	PartitionSettings partitionSettings() {
		return new PartitionSettings();
	}

	@Bean
	SubscriptionSettings subscriptionSettings() {
		return new SubscriptionSettings();
	}

	@Bean
	@Primary
	HikariDataSource dataSource(@Value("${stock.data-dir}") Path dataDir) {
		HikariDataSource dataSource = new HikariDataSource();
		// H2's defaults, as the HAPI starter uses them (no WRITE_DELAY=0)
		dataSource.setJdbcUrl(
				"jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("h2") + ";DB_CLOSE_ON_EXIT=FALSE");
		dataSource.setUsername("sa");
		dataSource.setPassword("");
		dataSource.setMaximumPoolSize(10);
		return dataSource;
	}

	@Bean
	@Primary
	LocalContainerEntityManagerFactoryBean entityManagerFactory(DataSource dataSource,
			ConfigurableListableBeanFactory beanFactory, FhirContext fhirContext, JpaStorageSettings storageSettings) {
		LocalContainerEntityManagerFactoryBean factory = HapiEntityManagerFactoryUtil
			.newEntityManagerFactory(beanFactory, fhirContext, storageSettings);
		factory.setPersistenceUnitName("HAPI_PU");
		factory.setDataSource(dataSource);
		Properties p = new Properties();
		p.put("hibernate.dialect", HapiFhirH2Dialect.class.getName());
		p.put("hibernate.hbm2ddl.auto", "update");
		p.put("hibernate.jdbc.batch_size", "20");
		p.put("hibernate.cache.use_query_cache", "false");
		p.put("hibernate.cache.use_second_level_cache", "false");
		p.put("hibernate.search.enabled", "false");
		factory.setJpaProperties(p);
		return factory;
	}

	@Bean
	@Primary
	JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
		return new JpaTransactionManager(entityManagerFactory);
	}

	@Bean
	RestfulServer fhirRestfulServer(FhirContext fhirContext, IFhirSystemDao<?, ?> systemDao,
			ResourceProviderFactory resourceProviders, IJpaSystemProvider systemProvider,
			JpaStorageSettings storageSettings, ISearchParamRegistry searchParamRegistry,
			IValidationSupport validationSupport, DatabaseBackedPagingProvider pagingProvider,
			IInterceptorService interceptors) {
		RestfulServer restful = new RestfulServer(fhirContext, interceptors);
		restful.registerProviders(resourceProviders.createProviders());
		restful.registerProvider(systemProvider);
		JpaCapabilityStatementProvider capabilities = new JpaCapabilityStatementProvider(restful, systemDao,
				storageSettings, searchParamRegistry, validationSupport);
		restful.setServerConformanceProvider(capabilities);
		restful.setPagingProvider(pagingProvider);
		return restful;
	}

	@Bean
	ServletRegistrationBean<RestfulServer> fhirServlet(RestfulServer restful) {
		ServletRegistrationBean<RestfulServer> registration = new ServletRegistrationBean<>(restful, "/fhir/*");
		registration.setLoadOnStartup(1);
		return registration;
	}

}
