package org.hemefhir.cohort;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;

/**
 * Generated courses as transaction bundles, and the slices tests send them in, for tests
 * outside this package.
 */
public final class GeneratedBundles {

	/**
	 * Entries per transaction. A whole patient (about 300 resources) does not fit in the
	 * request time budget (hemefhir.limits.request-timeout, 30 s) on the 2-core test
	 * machine with validation enforced; the entries are sent in their order, in slices,
	 * each referencing only what is in it or was stored before it.
	 */
	public static final int SLICE = 40;

	private GeneratedBundles() {
	}

	/**
	 * Writes one transaction bundle per generated course and cohort.json (what each
	 * course was drawn to show) into {@code dir}.
	 */
	public static void write(long seed, int patients, Path dir) throws IOException {
		new CohortWriter(FhirContext.forR4Cached()).write(seed, patients, dir, CohortWriter.Format.BUNDLE);
	}

	/** A bundle file of {@link #write}. */
	public static Bundle read(Path file) throws IOException {
		return FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class, Files.readString(file));
	}

	/** The bundle's entries, in order, as transactions of at most {@link #SLICE}. */
	public static List<Bundle> slices(Bundle bundle) {
		List<Bundle> slices = new ArrayList<>();
		List<Bundle.BundleEntryComponent> entries = bundle.getEntry();
		for (int from = 0; from < entries.size(); from += SLICE) {
			Bundle slice = new Bundle().setType(Bundle.BundleType.TRANSACTION);
			entries.subList(from, Math.min(entries.size(), from + SLICE)).forEach(slice::addEntry);
			slices.add(slice);
		}
		return slices;
	}

}
