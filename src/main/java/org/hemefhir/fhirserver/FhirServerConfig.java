package org.hemefhir.fhirserver;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.config.SubscriptionSettings;
import ca.uhn.fhir.jpa.provider.IJpaSystemProvider;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.provider.ValueSetOperationProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.narrative2.NullNarrativeGenerator;
import ca.uhn.fhir.parser.StrictErrorHandler;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.IncomingRequestAddressStrategy;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import java.util.List;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.transaction.annotation.EnableTransactionManagement;

/**
 * HAPI JPA for FHIR R4, with the storage rules HemeFHIR relies on, served at
 * {@code /fhir}.
 */
@Configuration
@EnableTransactionManagement
@Import({ JpaR4Config.class, HapiJpaConfig.class, ThreadPoolFactoryConfig.class, JpaBatch2Config.class,
		Batch2JobsConfig.class, SubscriptionChannelConfig.class })
public class FhirServerConfig {

	public static final String FHIR_PATH = "/fhir";

	@Bean
	JpaStorageSettings jpaStorageSettings(ServerProperties server) {
		JpaStorageSettings settings = new JpaStorageSettings();
		// A reference must point at a stored resource: no silent placeholder stubs.
		settings.setEnforceReferentialIntegrityOnWrite(true);
		settings.setEnforceReferentialIntegrityOnDelete(true);
		settings.setAutoCreatePlaceholderReferenceTargets(false);
		settings.setAllowExternalReferences(false);
		settings.setAllowMultipleDelete(false);
		settings.setAllowInlineMatchUrlReferences(true);
		// No default fetch-size cap: it silently cut internal synchronous searches short
		// (an
		// export's chunk of ids, a patient's results read by $outcomes). Client searches
		// are
		// paged (hemefhir.max-page-size) and no-store searches have their own cap.
		settings.setIndexMissingFields(JpaStorageSettings.IndexEnabledEnum.DISABLED);
		settings.setDeleteExpungeEnabled(false);
		settings.setExpungeEnabled(false);
		settings.setReuseCachedSearchResultsForMillis(null);
		settings.setSearchPreFetchThresholds(searchPreFetchThresholds(server.maxPageSize()));
		settings.setUniqueIndexesEnabled(true);
		settings.setMarkResourcesForReindexingUponSearchParameterChange(true);
		// Value sets are expanded in memory by the validator; the JPA pre-expansion task
		// needs Hibernate Search.
		settings.setPreExpandValueSets(false);
		settings.setEnableTaskPreExpandValueSets(false);
		// HFJ_SPIDX_IDENTITY only names index hashes for people reading the tables;
		// filling it
		// costs a transaction per search parameter on a new database, in a background
		// thread
		// that competes with startup for the cores.
		settings.setWriteToSearchParamIdentityTable(false);
		return settings;
	}

	/**
	 * How many matches a search collects before its first page is answered, then on each
	 * further pass. A page beyond what is collected makes HAPI start the next pass and
	 * poll for it every 500 ms, so with its default first pass (13) the second page of
	 * any search took half a second longer than the first. The first pass now covers the
	 * largest page; only a search with more matches pays the wait, once per pass.
	 */
	static List<Integer> searchPreFetchThresholds(int maxPageSize) {
		int first = maxPageSize + 1;
		return List.of(first, first * 4, first * 20, -1);
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
	RestfulServer fhirRestfulServer(FhirContext fhirContext, IFhirSystemDao<?, ?> systemDao,
			ResourceProviderFactory resourceProviders, IJpaSystemProvider systemProvider,
			ValueSetOperationProvider valueSetOperations, JpaStorageSettings storageSettings,
			ISearchParamRegistry searchParamRegistry, IValidationSupport validationSupport,
			DatabaseBackedPagingProvider pagingProvider, ServerProperties server, IInterceptorService interceptors,
			List<FhirServerCustomizer> customizers) {
		// Unknown elements, bad enum codes and invalid primitives are refused at parse
		// time (400).
		fhirContext.setParserErrorHandler(new StrictErrorHandler());
		fhirContext.setNarrativeGenerator(new NullNarrativeGenerator());

		RestfulServer restful = new RestfulServer(fhirContext, new ServerPointcutsOnly(interceptors));
		restful.registerProviders(resourceProviders.createProviders());
		restful.registerProvider(systemProvider);
		restful.registerProvider(valueSetOperations);

		JpaCapabilityStatementProvider capabilities = new JpaCapabilityStatementProvider(restful, systemDao,
				storageSettings, searchParamRegistry, validationSupport);
		capabilities.setImplementationDescription("HemeFHIR");
		restful.setServerConformanceProvider(capabilities);
		restful.setServerName("HemeFHIR");

		pagingProvider.setDefaultPageSize(server.defaultPageSize());
		pagingProvider.setMaximumPageSize(server.maxPageSize());
		restful.setPagingProvider(pagingProvider);
		restful.setDefaultResponseEncoding(EncodingEnum.JSON);
		restful.setServerAddressStrategy(new IncomingRequestAddressStrategy());
		customizers.forEach(c -> c.customize(restful));
		return restful;
	}

	@Bean
	ServletRegistrationBean<RestfulServer> fhirServlet(RestfulServer restful) {
		ServletRegistrationBean<RestfulServer> registration = new ServletRegistrationBean<>(restful, FHIR_PATH + "/*");
		registration.setName("fhir");
		// Initialise at startup so the first request does not pay for it.
		registration.setLoadOnStartup(1);
		return registration;
	}

}
