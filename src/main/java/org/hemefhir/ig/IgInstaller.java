package org.hemefhir.ig;

import org.hemefhir.validation.HemeFhirIg;
import ca.uhn.fhir.jpa.packages.IPackageInstallerSvc;
import ca.uhn.fhir.jpa.packages.PackageInstallOutcomeJson;
import ca.uhn.fhir.jpa.packages.PackageInstallationSpec;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.hemefhir.validation.ProfileValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Installs the HemeFHIR package from the classpath into the database at startup, so its
 * definitions are readable over REST and its SearchParameters index what is written next.
 * Nothing is fetched: the package declares only hl7.fhir.r4.core, which HAPI already
 * holds.
 */
@Component
@Order(1)
public class IgInstaller implements ApplicationRunner {

	private static final Logger log = LoggerFactory.getLogger(IgInstaller.class);

	private final IPackageInstallerSvc installer;

	private final ISearchParamRegistry searchParams;

	private final ProfileValidator validator;

	private volatile boolean installed;

	IgInstaller(IPackageInstallerSvc installer, ISearchParamRegistry searchParams, ProfileValidator validator) {
		this.installer = installer;
		this.searchParams = searchParams;
		this.validator = validator;
	}

	@Override
	public void run(ApplicationArguments args) {
		install();
	}

	/** Installs once per process; later calls return at once. */
	public synchronized void install() {
		if (installed) {
			return;
		}
		long start = System.nanoTime();
		PackageInstallationSpec spec = new PackageInstallationSpec().setName(validator.igPackage().name())
			.setVersion(validator.igPackage().version())
			.setPackageContents(packageBytes())
			.setFetchDependencies(false)
			.setInstallMode(PackageInstallationSpec.InstallModeEnum.STORE_AND_INSTALL);
		spec.setInstallResourceTypes(
				java.util.List.of("StructureDefinition", "ValueSet", "CodeSystem", "SearchParameter"));
		spec.setReloadExisting(false);
		PackageInstallOutcomeJson outcome = installer.install(spec);
		searchParams.forceRefresh();
		installed = true;
		log.info("Installed {}#{} ({} resources) in {} ms", spec.getName(), spec.getVersion(),
				outcome.getResourcesInstalled().values().stream().mapToInt(Integer::intValue).sum(),
				(System.nanoTime() - start) / 1_000_000);
	}

	private static byte[] packageBytes() {
		try (InputStream in = IgInstaller.class.getResourceAsStream(HemeFhirIg.CLASSPATH_PACKAGE)) {
			if (in == null) {
				throw new IllegalStateException(
						"IG package " + HemeFhirIg.CLASSPATH_PACKAGE + " is missing from the classpath");
			}
			return in.readAllBytes();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

}
