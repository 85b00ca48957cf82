package org.hemefhir.samples;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The published case shipped in the jar.
 *
 * @param load load {@code sample-bundles/case-report/} when the server starts on a
 * database without patients
 */
@ConfigurationProperties(prefix = "hemefhir.samples")
public record SamplesProperties(@DefaultValue("true") boolean load) {
}
