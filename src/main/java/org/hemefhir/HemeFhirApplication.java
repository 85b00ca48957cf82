package org.hemefhir;

import org.hemefhir.cli.ValidateCommand;
import org.hemefhir.cohort.GenerateCommand;
import org.hemefhir.cli.MigrateCommand;
import org.hemefhir.cli.MigrateDataCommand;
import org.hemefhir.security.ClientCommand;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.security.oauth2.server.servlet.OAuth2AuthorizationServerAutoConfiguration;
import org.springframework.boot.autoconfigure.security.oauth2.server.servlet.OAuth2AuthorizationServerJwtAutoConfiguration;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchClientAutoConfiguration;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchRestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.quartz.QuartzAutoConfiguration;
import org.springframework.boot.autoconfigure.thymeleaf.ThymeleafAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * HemeFHIR: a FHIR R4 server for the treatment course of hematologic malignancies.
 *
 * <p>
 * Elasticsearch, Flyway, Quartz and Thymeleaf arrive on the classpath through HAPI; their
 * Boot auto-configurations are excluded because HAPI wires what it needs of them itself.
 */
@SpringBootApplication(
		exclude = { ElasticsearchClientAutoConfiguration.class, ElasticsearchRestClientAutoConfiguration.class,
				FlywayAutoConfiguration.class, QuartzAutoConfiguration.class, ThymeleafAutoConfiguration.class,
				// the built-in authorization server is configured by the security module
				OAuth2AuthorizationServerAutoConfiguration.class, OAuth2AuthorizationServerJwtAutoConfiguration.class })
@ConfigurationPropertiesScan
public class HemeFhirApplication {

	public static void main(String[] args) {
		if (args.length > 0 && ValidateCommand.NAME.equals(args[0])) {
			// offline validator: no Spring context, web server or database
			System.exit(ValidateCommand.main(java.util.Arrays.copyOfRange(args, 1, args.length)));
		}
		if (args.length > 0 && GenerateCommand.NAME.equals(args[0])) {
			// synthetic cohort generator: no Spring context, web server or database
			System.exit(GenerateCommand.main(java.util.Arrays.copyOfRange(args, 1, args.length)));
		}
		if (args.length > 0 && ClientCommand.NAME.equals(args[0])) {
			// registers a client of the built-in authorization server in its clients file
			System.exit(ClientCommand.main(java.util.Arrays.copyOfRange(args, 1, args.length)));
		}
		if (args.length > 0 && MigrateCommand.NAME.equals(args[0])) {
			// brings a stopped server's database schema to this release
			System.exit(MigrateCommand.main(java.util.Arrays.copyOfRange(args, 1, args.length)));
		}
		if (args.length > 0 && MigrateDataCommand.NAME.equals(args[0])) {
			// moves a stopped server's embedded database into PostgreSQL
			System.exit(MigrateDataCommand.main(java.util.Arrays.copyOfRange(args, 1, args.length)));
		}
		SpringApplication.run(HemeFhirApplication.class, args);
	}

}
