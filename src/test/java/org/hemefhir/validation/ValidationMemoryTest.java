package org.hemefhir.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;

/**
 * Validation keeps nothing of a resource once it is validated: the heap after a full
 * collection does not grow with the number of validations. (The HL7 InstanceValidator,
 * reused as it must be for speed, kept each validated resource's element tree, ~130 kB
 * apiece: 1,500 validations of the case's consolidation bundle retained about 200 MB.)
 */
class ValidationMemoryTest {

	private static final ProfileValidator VALIDATOR = ProfileValidator.fromClasspath(1);

	@Test
	void retainedHeapDoesNotGrowWithTheNumberOfValidations() throws IOException {
		List<IBaseResource> resources = caseResources();
		validate(resources, 300); // warm: caches of profiles, expansions and the
									// validator itself
		long before = heapAfterFullGc();
		validate(resources, 1_500);
		long after = heapAfterFullGc();

		long grownMb = (after - before) / (1024 * 1024);
		assertThat(grownMb)
			.as("heap after GC grew from %d MB to %d MB over 1,500 validations", before / (1024 * 1024),
					after / (1024 * 1024))
			.isLessThan(25);
	}

	@Test
	void aPooledValidatorIsEmptiedAfterEachUse() throws IOException {
		IBaseResource resource = caseResources().get(3);
		VALIDATOR.validate(resource);
		org.hl7.fhir.validation.instance.InstanceValidator[] seen = new org.hl7.fhir.validation.instance.InstanceValidator[1];
		VALIDATOR.validate(resource);
		// the pool of one hands out the same instance again: nothing of the last resource
		// in it
		VALIDATOR.poolForTests().with(v -> {
			seen[0] = v;
			return null;
		});
		assertThat(InstanceValidatorPool.retainedCount(seen[0])).isZero();
	}

	private static void validate(List<IBaseResource> resources, int times) {
		for (int i = 0; i < times; i++) {
			assertThat(VALIDATOR.validate(resources.get(i % resources.size())).getMessages()).isNotNull();
		}
	}

	private static List<IBaseResource> caseResources() throws IOException {
		String json = Files.readString(Path.of("sample-bundles/case-report/03-consolidation.json"));
		Bundle bundle = (Bundle) VALIDATOR.fhirContext().newJsonParser().parseResource(json);
		return bundle.getEntry().stream().map(e -> (IBaseResource) e.getResource()).toList();
	}

	private static long heapAfterFullGc() {
		for (int i = 0; i < 3; i++) {
			System.gc();
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

}
