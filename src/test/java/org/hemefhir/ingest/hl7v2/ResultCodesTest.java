package org.hemefhir.ingest.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import org.hemefhir.ingest.hl7v2.ResultCodes.Kind;
import org.hemefhir.ingest.hl7v2.ResultCodes.ResultCode;
import org.hemefhir.validation.IgTerminology;
import org.junit.jupiter.api.Test;

/**
 * The v2 mapping knows exactly the codes the IG's value sets hold, with the unit and
 * method each needs.
 */
class ResultCodesTest {

	private final IgTerminology ig = IgTerminology.installed();

	@Test
	void everyCodeOfTheIgsResultValueSetsIsMapped() {
		var mapped = ResultCodes.load(ig).stream().map(ResultCode::code).collect(Collectors.toSet());
		assertThat(mapped).containsAll(ig.codes(IgTerminology.BLOOD_COUNT_CODE))
			.containsAll(ig.codes(IgTerminology.MRD_CODE))
			.containsAll(ig.codes(IgTerminology.IMMUNOPHENOTYPE_CODE))
			.contains("donor-chimerism");
	}

	@Test
	void unitsAndMethodsFollowWhatWasMeasured() {
		assertThat(ResultCodes.find("718-7", "LN").orElseThrow().unit()).isEqualTo(UcumUnits.GRAMS_PER_LITRE);
		assertThat(ResultCodes.find("751-8", "LN").orElseThrow().unit()).isEqualTo(UcumUnits.PER_LITRE_E9);
		assertThat(ResultCodes.find("751-8", "99HEM")).isEmpty();
		ResultCode pcr = ResultCodes.find("mrd-pcr", "L").orElseThrow();
		assertThat(pcr.kind()).isEqualTo(Kind.MRD);
		assertThat(ig.find(IgTerminology.MRD_METHOD, pcr.defaultMethod())).isPresent();
		assertThat(ResultCodes.load(ig).stream().filter(c -> c.kind() == Kind.MRD))
			.allSatisfy(c -> assertThat(ig.find(IgTerminology.MRD_METHOD, c.defaultMethod())).isPresent());
	}

}
