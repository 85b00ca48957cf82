package org.hemefhir.samples;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.hemefhir.ig.IgInstaller;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Meta;
import org.hemefhir.fhirserver.StartupLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * Loads the case report (the transaction bundles of {@code sample-bundles/case-report/},
 * packaged in the jar under {@code samples/case-report/}) on first start. The bundles use
 * conditional creates on business identifiers, so loading them again, or POSTing them to
 * {@code /fhir}, changes nothing.
 */
@Component
@Order(2)
class CaseReportLoader implements ApplicationRunner {

	static final String LOCATION = "classpath*:samples/case-report/*.json";

	private static final Logger log = LoggerFactory.getLogger(CaseReportLoader.class);

	private final SamplesProperties properties;

	private final FhirContext fhirContext;

	private final IFhirSystemDao<Bundle, Meta> systemDao;

	private final DaoRegistry daoRegistry;

	private final IgInstaller igInstaller;

	private final StartupLock startupLock;

	CaseReportLoader(SamplesProperties properties, FhirContext fhirContext, IFhirSystemDao<Bundle, Meta> systemDao,
			DaoRegistry daoRegistry, IgInstaller igInstaller, StartupLock startupLock) {
		this.startupLock = startupLock;
		this.properties = properties;
		this.fhirContext = fhirContext;
		this.systemDao = systemDao;
		this.daoRegistry = daoRegistry;
		this.igInstaller = igInstaller;
	}

	@Override
	public void run(ApplicationArguments args) {
		if (properties.load()) {
			// nodes starting together: one loads, the others then find its patients
			startupLock.run("hemefhir-case-load", this::loadUnlessPatientsStored);
		}
	}

	private void loadUnlessPatientsStored() {
		if (hasPatients()) {
			log.info("Database already holds patients; case report not loaded");
			return;
		}
		// The case's extensions are only searchable once the IG's SearchParameters are
		// active.
		igInstaller.install();
		long start = System.nanoTime();
		int resources = 0;
		for (Resource file : bundles()) {
			Bundle bundle = read(file);
			Bundle response = systemDao.transaction(new SystemRequestDetails(), bundle);
			resources += response.getEntry().size();
		}
		log.info("Loaded the case report: {} entries in {} ms", resources, (System.nanoTime() - start) / 1_000_000);
	}

	private boolean hasPatients() {
		SearchParameterMap any = SearchParameterMap.newSynchronous().setCount(1);
		return !daoRegistry.getResourceDao("Patient")
			.search(any, new SystemRequestDetails())
			.getResources(0, 1)
			.isEmpty();
	}

	/** The bundles in load order: their file names start with a sequence number. */
	static List<Resource> bundles() {
		try {
			Resource[] found = new PathMatchingResourcePatternResolver().getResources(LOCATION);
			return Arrays.stream(found).sorted(Comparator.comparing(Resource::getFilename)).toList();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private Bundle read(Resource file) {
		try (InputStream in = file.getInputStream()) {
			return fhirContext.newJsonParser().parseResource(Bundle.class, in);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

}
