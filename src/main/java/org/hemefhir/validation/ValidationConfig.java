package org.hemefhir.validation;

import ca.uhn.fhir.validation.IInstanceValidatorModule;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * One profile validator for the whole server, warmed while the rest of the server starts.
 */
@Configuration
class ValidationConfig {

	private static final Logger log = LoggerFactory.getLogger(ValidationConfig.class);

	@Bean
	ProfileValidator profileValidator(ValidationProperties properties) {
		int concurrency = properties.concurrency() > 0 ? properties.concurrency()
				: Runtime.getRuntime().availableProcessors();
		ProfileValidator validator = ProfileValidator.fromClasspath(concurrency);
		CompletableFuture.runAsync(() -> {
			long start = System.nanoTime();
			validator.warmUp();
			log.info("Profile validation warmed up in {} ms", (System.nanoTime() - start) / 1_000_000);
		});
		return validator;
	}

	/**
	 * Replaces HAPI's instance validator (same bean name), so that {@code $validate}
	 * gives the answer a write would get.
	 */
	@Bean(name = "instanceValidator")
	@Primary
	IInstanceValidatorModule instanceValidator(ProfileValidator validator) {
		return new ProfileValidatorModule(validator);
	}

}
