package org.hemefhir.ingest.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.hemefhir.ingest.bulk.ImportFetchStep.ImportFile;
import org.junit.jupiter.api.Test;

class ImportFetchStepTest {

	private static ImportFile file(String name, Set<String> types, Set<String> referenced) {
		return new ImportFile(name, types, referenced);
	}

	private static List<String> order(ImportFile... files) {
		return ImportFetchStep.order(List.of(files)).stream().map(ImportFile::url).toList();
	}

	@Test
	void eachFileFollowsTheFilesHoldingWhatItReferences() {
		ImportFile observations = file("obs", Set.of("Observation"), Set.of("Patient", "Procedure", "Observation"));
		ImportFile administrations = file("ma", Set.of("MedicationAdministration"),
				Set.of("Patient", "CarePlan", "Medication"));
		ImportFile plans = file("cp", Set.of("CarePlan"), Set.of("Patient", "Condition"));
		ImportFile procedures = file("proc", Set.of("Procedure"), Set.of("Patient"));
		ImportFile conditions = file("cond", Set.of("Condition"), Set.of("Patient"));
		ImportFile patients = file("pat", Set.of("Patient"), Set.of());

		List<String> order = order(observations, administrations, plans, procedures, conditions, patients);

		assertThat(order).containsExactly("pat", "proc", "obs", "cond", "cp", "ma");
	}

	@Test
	void aCycleKeepsTheListedOrderAndTheRestStillFollowIt() {
		ImportFile a = file("a", Set.of("Observation"), Set.of("DiagnosticReport"));
		ImportFile b = file("b", Set.of("DiagnosticReport"), Set.of("Observation"));
		ImportFile c = file("c", Set.of("Specimen"), Set.of("DiagnosticReport"));

		assertThat(order(c, a, b)).containsExactly("a", "b", "c");
	}

	@Test
	void aFileWithSeveralTypesWaitsOnlyForTypesItDoesNotHoldItself() {
		ImportFile mixed = file("mixed", Set.of("Patient", "Observation"), Set.of("Patient"));
		ImportFile morePatients = file("more", Set.of("Patient"), Set.of());

		assertThat(order(mixed, morePatients)).containsExactly("mixed", "more");
	}

}
