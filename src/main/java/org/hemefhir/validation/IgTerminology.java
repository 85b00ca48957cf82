package org.hemefhir.validation;

import ca.uhn.fhir.context.FhirContext;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ValueSet;

/**
 * The codes of the IG's enumerated value sets, read from the package the server runs
 * with. Java code that needs such a list (which procedures are a transplant, which
 * results are blood counts) asks here, so that the value set in {@code fhir-profiles/}
 * stays the one place the list is written.
 */
public final class IgTerminology {

	public static final String HSCT_CODE = HemeFhirIg.VALUE_SET_BASE + "hsct-code";

	public static final String BLOOD_COUNT_CODE = HemeFhirIg.VALUE_SET_BASE + "blood-count-code";

	public static final String MRD_CODE = HemeFhirIg.VALUE_SET_BASE + "mrd-code";

	public static final String MRD_METHOD = HemeFhirIg.VALUE_SET_BASE + "mrd-method";

	public static final String IMMUNOPHENOTYPE_CODE = HemeFhirIg.VALUE_SET_BASE + "immunophenotype-code";

	private static volatile IgTerminology installed;

	private final Map<String, List<Coding>> concepts;

	private IgTerminology(Map<String, List<Coding>> concepts) {
		this.concepts = concepts;
	}

	/** The value sets of the package on the classpath, read once. */
	public static IgTerminology installed() {
		IgTerminology t = installed;
		if (t == null) {
			synchronized (IgTerminology.class) {
				if (installed == null) {
					installed = of(IgPackage.fromClasspath(FhirContext.forR4Cached()));
				}
				t = installed;
			}
		}
		return t;
	}

	public static IgTerminology of(IgPackage ig) {
		Map<String, List<Coding>> byUrl = new LinkedHashMap<>();
		for (IBaseResource resource : ig.conformance()) {
			if (resource instanceof ValueSet vs) {
				byUrl.put(vs.getUrl(),
						vs.getCompose()
							.getInclude()
							.stream()
							.flatMap(include -> include.getConcept()
								.stream()
								.map(c -> new Coding(include.getSystem(), c.getCode(), c.getDisplay())))
							.toList());
			}
		}
		return new IgTerminology(byUrl);
	}

	/** The concepts the value set enumerates, in its order. */
	public List<Coding> concepts(String valueSetUrl) {
		List<Coding> found = concepts.get(valueSetUrl);
		if (found == null) {
			throw new IllegalArgumentException("The implementation guide has no value set " + valueSetUrl);
		}
		return found;
	}

	/** Its codes (of every system). */
	public Set<String> codes(String valueSetUrl) {
		return concepts(valueSetUrl).stream().map(Coding::getCode).collect(Collectors.toCollection(LinkedHashSet::new));
	}

	/** The concept with that code, if the value set has it. */
	public Optional<Coding> find(String valueSetUrl, String code) {
		return concepts(valueSetUrl).stream().filter(c -> c.getCode().equals(code)).findFirst();
	}

}
