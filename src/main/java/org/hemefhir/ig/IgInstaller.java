package org.hemefhir.ig;

import org.hemefhir.validation.HemeFhirIg;
import ca.uhn.fhir.jpa.dao.data.INpmPackageVersionDao;
import ca.uhn.fhir.jpa.packages.IPackageInstallerSvc;
import ca.uhn.fhir.jpa.packages.PackageInstallOutcomeJson;
import ca.uhn.fhir.jpa.packages.PackageInstallationSpec;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.hemefhir.validation.ProfileValidator;
import org.hemefhir.fhirserver.StartupLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

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

	private final INpmPackageVersionDao packageVersions;

	private final TransactionTemplate transactions;

	private final StartupLock startupLock;

	private volatile boolean installed;

	IgInstaller(IPackageInstallerSvc installer, ISearchParamRegistry searchParams, ProfileValidator validator,
			INpmPackageVersionDao packageVersions, PlatformTransactionManager transactionManager,
			StartupLock startupLock) {
		this.startupLock = startupLock;
		this.installer = installer;
		this.searchParams = searchParams;
		this.validator = validator;
		this.packageVersions = packageVersions;
		this.transactions = new TransactionTemplate(transactionManager);
	}

	@Override
	public void run(ApplicationArguments args) {
		install();
	}

	/**
	 * Installs once per process; later calls return at once. Nodes starting together take
	 * turns, and the later ones find the package installed.
	 */
	public synchronized void install() {
		if (!installed) {
			startupLock.run("hemefhir-ig-install", this::installUnlessStored);
		}
	}

	private void installUnlessStored() {
		long start = System.nanoTime();
		byte[] contents = packageBytes();
		if (alreadyInstalled(contents.length)) {
			// HAPI's installer would parse the package and look up each of its resources
			// again only to change nothing: seconds of every restart.
			installed = true;
			log.info("{}#{} is already installed; checked in {} ms", validator.igPackage().name(),
					validator.igPackage().version(), (System.nanoTime() - start) / 1_000_000);
			return;
		}
		PackageInstallationSpec spec = new PackageInstallationSpec().setName(validator.igPackage().name())
			.setVersion(validator.igPackage().version())
			.setPackageContents(contents)
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

	/**
	 * The same version of the package, of the same size, is stored: an earlier start
	 * installed exactly this package (a changed IG gets a new version from the build).
	 */
	private boolean alreadyInstalled(long size) {
		Boolean stored = transactions.execute(tx -> packageVersions
			.findByPackageIdAndVersion(validator.igPackage().name(), validator.igPackage().version())
			.map(version -> version.getPackageSizeBytes() == size)
			.orElse(false));
		return Boolean.TRUE.equals(stored);
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
