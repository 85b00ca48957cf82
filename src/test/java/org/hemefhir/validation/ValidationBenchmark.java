package org.hemefhir.validation;

import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ValidationOptions;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Measures warm validation time: one resource, a 50-resource bundle, and HAPI's stock
 * FhirInstanceValidator on the same chain for comparison. Not a test: timings depend on
 * the machine.
 *
 * <pre>java -cp target/classes:$(./mvnw -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout) \
 *     org.hemefhir.validation.ValidationBenchmark</pre>
 */
public final class ValidationBenchmark {

	private ValidationBenchmark() {
	}

	public static void main(String[] args) {
		long start = System.nanoTime();
		ProfileValidator validator = ProfileValidator.fromClasspath();
		long built = System.nanoTime();
		validator.warmUp();
		long warmed = System.nanoTime();
		System.out.printf("build %d ms, warm-up %d ms%n", (built - start) / 1_000_000, (warmed - built) / 1_000_000);

		List<IBaseResource> examples = validator.igPackage().examples();
		IBaseResource single = examples.stream()
			.filter(r -> r.getIdElement().getIdPart().equals("example-mrd-bm-day32"))
			.findFirst()
			.orElse(examples.get(0));
		Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
		for (int i = 0; i < 50; i++) {
			Resource r = ((Resource) examples.get(i % examples.size())).copy();
			r.setId(UUID.randomUUID().toString());
			bundle.addEntry().setFullUrl("urn:uuid:" + r.getIdElement().getIdPart()).setResource(r);
		}

		double one = time(500, () -> validator.validate(single));
		System.out.printf("single resource (MRD observation): %.2f ms per validation%n", one);
		double fifty = time(30, () -> validator.validate(bundle));
		System.out.printf("50-resource bundle: %.1f ms per bundle = %.2f ms per resource%n", fifty, fifty / 50);
		double perEntry = time(20, () -> {
			for (Bundle.BundleEntryComponent e : bundle.getEntry()) {
				validator.validate(e.getResource());
			}
			return null;
		});
		System.out.printf("50 resources one by one: %.1f ms = %.2f ms per resource%n", perEntry, perEntry / 50);

		FhirValidator stock = validator.fhirContext()
			.newValidator()
			.registerValidatorModule(new FhirInstanceValidator(validator.validationSupport()));
		ValidationOptions options = new ValidationOptions().addProfile(validator.inferProfile(single).orElseThrow());
		double hapi = time(100, () -> stock.validateWithResult(single, options));
		System.out.printf("stock HAPI FhirInstanceValidator, same resource and chain: %.2f ms per validation%n", hapi);
	}

	/** Warms with a few runs, then returns the mean time in ms over {@code runs}. */
	private static double time(int runs, Supplier<?> work) {
		for (int i = 0; i < Math.max(5, runs / 10); i++) {
			work.get();
		}
		long start = System.nanoTime();
		for (int i = 0; i < runs; i++) {
			work.get();
		}
		return (System.nanoTime() - start) / 1e6 / runs;
	}

}
