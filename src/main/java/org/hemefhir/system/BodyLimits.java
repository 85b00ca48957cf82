package org.hemefhir.system;

/**
 * Structural limits of one JSON or XML document: nesting depth and number of values. The
 * server takes them from {@link LimitsProperties}; the offline validator uses the same
 * defaults.
 */
public record BodyLimits(int maxNestingDepth, int maxValues) {

	static final String DEFAULT_NESTING_DEPTH = "100";
	static final String DEFAULT_VALUES = "100000";

	public static final BodyLimits DEFAULT = new BodyLimits(Integer.parseInt(DEFAULT_NESTING_DEPTH),
			Integer.parseInt(DEFAULT_VALUES));

}
