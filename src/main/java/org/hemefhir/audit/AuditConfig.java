package org.hemefhir.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.dao.expunge.ExpungeService;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hemefhir.fhirserver.FhirServerCustomizer;
import org.hemefhir.fhirserver.ServerProperties;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Meta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The audit trail's parts: the queue and its spill file in the data directory, the filter
 * in front of every other one, the HAPI hooks, the background writer and the scheduled
 * purge.
 */
@Configuration
class AuditConfig {

	static final String SPILL_FILE = "audit-spill.ndjson";

	static final String UNSTORABLE_FILE = "audit-unstorable.ndjson";

	@Bean
	AuditQueue auditQueue(AuditProperties properties, ServerProperties server, FhirContext fhirContext) {
		// Provenance names the versions it is about; HAPI would drop the version
		Set<String> versioned = new HashSet<>(
				fhirContext.getParserOptions().getDontStripVersionsFromReferencesAtPaths());
		versioned.addAll(Set.of("Provenance.target", "AuditEvent.entity.what"));
		fhirContext.getParserOptions().setDontStripVersionsFromReferencesAtPaths(versioned);
		return new AuditQueue(properties.queueCapacity(), server.dataDir().resolve(SPILL_FILE), fhirContext);
	}

	@Bean
	AuditTrail auditTrail(AuditQueue queue, AuditProperties properties) {
		return new AuditTrail(queue, properties.enabled());
	}

	/**
	 * First of all filters, before admission ({@code system}) and Spring Security, so
	 * that their refusals are audited.
	 */
	@Bean
	FilterRegistrationBean<AuditFilter> auditFilter(AuditTrail trail) {
		FilterRegistrationBean<AuditFilter> registration = new FilterRegistrationBean<>(new AuditFilter(trail));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		registration.setName("auditFilter");
		return registration;
	}

	@Bean
	FhirServerCustomizer auditInterceptor(AuditProperties properties) {
		return server -> {
			if (properties.enabled()) {
				server.registerInterceptor(new AuditInterceptor());
			}
		};
	}

	@Bean
	AuditPurge auditPurge(DaoRegistry daos, IFhirSystemDao<Bundle, Meta> systemDao,
			ObjectProvider<ExpungeService> expunge, AuditProperties properties) {
		return new AuditPurge(daos, systemDao, expunge.getIfAvailable(), properties.batchSize());
	}

	@Bean
	Background auditBackground(AuditQueue queue, DaoRegistry daos, FhirContext fhirContext, ServerProperties server,
			AuditProperties properties, AuditPurge purge) {
		AuditStore store = new AuditStore(daos, fhirContext, server.dataDir().resolve(UNSTORABLE_FILE));
		return new Background(new AuditWriter(queue, store, properties.batchSize()), purge, properties);
	}

	/**
	 * Runs the writer and the purge. Starts before the web server and stops after it (a
	 * lower phase), so that every request's record reaches the queue and is stored or
	 * spilled.
	 */
	static final class Background implements SmartLifecycle {

		private static final Logger log = LoggerFactory.getLogger(Background.class);

		private final AuditWriter writer;

		private final AuditPurge purge;

		private final AuditProperties properties;

		private ScheduledExecutorService scheduler;

		Background(AuditWriter writer, AuditPurge purge, AuditProperties properties) {
			this.writer = writer;
			this.purge = purge;
			this.properties = properties;
		}

		@Override
		public synchronized void start() {
			writer.start();
			if (properties.enabled() && scheduler == null) {
				scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
					Thread thread = new Thread(task, "audit-purge");
					thread.setDaemon(true);
					return thread;
				});
				long every = Math.max(1, properties.purgeInterval().toSeconds());
				scheduler.scheduleWithFixedDelay(this::purge, Math.min(60, every), every, TimeUnit.SECONDS);
			}
		}

		private void purge() {
			try {
				Instant cutoff = Instant.now().atOffset(ZoneOffset.UTC).minus(properties.retention()).toInstant();
				purge.purgeBefore(cutoff);
			}
			catch (RuntimeException e) {
				log.warn("Audit purge failed, tried again in {}: {}", properties.purgeInterval(), e.toString());
			}
		}

		@Override
		public synchronized void stop() {
			if (scheduler != null) {
				scheduler.shutdownNow();
				scheduler = null;
			}
			writer.stop(10_000);
		}

		@Override
		public synchronized boolean isRunning() {
			return scheduler != null || writer.running();
		}

		@Override
		public int getPhase() {
			return SmartLifecycle.DEFAULT_PHASE - 4096;
		}

		AuditWriter writer() {
			return writer;
		}

	}

}
