package org.hemefhir.validation;

/**
 * Identity of the HemeFHIR implementation guide: one place for its canonical base and
 * package name.
 */
public final class HemeFhirIg {

	public static final String CANONICAL_BASE = "http://hemefhir.org/fhir";

	public static final String STRUCTURE_DEFINITION_BASE = CANONICAL_BASE + "/StructureDefinition/";

	public static final String CODE_SYSTEM_BASE = CANONICAL_BASE + "/CodeSystem/";

	public static final String VALUE_SET_BASE = CANONICAL_BASE + "/ValueSet/";

	public static final String PACKAGE_NAME = "hemefhir.r4";

	/** Where the build puts the package on the classpath. */
	public static final String CLASSPATH_PACKAGE = "/ig/hemefhir.r4.tgz";

	public static final String FHIR_VERSION = "4.0.1";

	private HemeFhirIg() {
	}

	public static String profileUrl(String name) {
		return STRUCTURE_DEFINITION_BASE + (name.startsWith("hemefhir-") ? name : "hemefhir-" + name);
	}

}
