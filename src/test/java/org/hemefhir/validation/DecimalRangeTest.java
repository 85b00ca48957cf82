package org.hemefhir.validation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.Test;

class DecimalRangeTest {

	private static final FhirContext R4 = FhirContext.forR4Cached();

	private static Observation parse(String json) {
		return R4.newJsonParser().parseResource(Observation.class, json);
	}

	@Test
	void aDecimalBeyondDoubleRangeIsFoundWithItsPath() {
		Observation o = parse("""
				{"resourceType":"Observation","status":"final","code":{"text":"x"},
				 "extension":[{"url":"urn:test:a","valueDecimal":2},{"url":"urn:test:b","valueDecimal":-1e999}],
				 "valueQuantity":{"value":1e400,"unit":"mg"},
				 "component":[{"code":{"text":"a"},"valueQuantity":{"value":1}},
				              {"code":{"text":"b"},"valueQuantity":{"value":1e309}}],
				 "referenceRange":[{"low":{"value":1.7e308}}]}""");
		assertThat(DecimalRange.check(R4, o)).extracting(DecimalRange.OutOfRange::path)
			.containsExactlyInAnyOrder("Observation.extension[1].value.ofType(decimal)",
					"Observation.value.ofType(Quantity).value",
					"Observation.component[1].value.ofType(Quantity).value");
	}

	@Test
	void ordinaryDecimalsPass() {
		assertThat(DecimalRange.check(R4,
				parse("""
						{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":0.000000001}}""")))
			.isEmpty();
	}

}
