package org.hemefhir.validation;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Profile validation of writes.
 *
 * @param mode {@code enforce}: a write with validation errors is refused with 422;
 * {@code warn}: it is stored and the errors are logged; {@code off}: no validation on
 * write ($validate still works)
 * @param concurrency validations run at once (they are CPU-bound); 0: one per processor.
 * A write that finds them all busy waits, within its time budget
 */
@ConfigurationProperties(prefix = "hemefhir.validation")
public record ValidationProperties(@DefaultValue("enforce") Mode mode, @DefaultValue("0") int concurrency) {

	public enum Mode {

		ENFORCE, WARN, OFF

	}
}
