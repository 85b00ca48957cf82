package org.hemefhir.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.hemefhir.security.SecurityProperties.Mode;
import org.hemefhir.security.SmartScope.Context;
import org.hemefhir.security.SmartScope.Interaction;
import org.junit.jupiter.api.Test;

class SmartScopeTest {

	@Test
	void v2PermissionsInTheirOrder() {
		SmartScope scope = SmartScope.parse("system/Observation.cruds").orElseThrow();
		assertThat(scope.context()).isEqualTo(Context.SYSTEM);
		assertThat(scope.interactions()).containsExactlyInAnyOrder(Interaction.values());
		assertThat(SmartScope.parse("user/Patient.rs").orElseThrow().interactions())
			.containsExactlyInAnyOrder(Interaction.READ, Interaction.SEARCH);
		assertThat(SmartScope.parse("system/Observation.rs?category=laboratory").orElseThrow().restriction())
			.isEqualTo("category=laboratory");
		// out of order, repeated or unknown letters are not scopes
		assertThat(SmartScope.parse("system/Observation.sr")).isEmpty();
		assertThat(SmartScope.parse("system/Observation.rr")).isEmpty();
		assertThat(SmartScope.parse("system/Observation.x")).isEmpty();
		assertThat(SmartScope.parse("system/observation.r")).isEmpty();
		assertThat(SmartScope.parse("openid")).isEmpty();
	}

	@Test
	void v1FormsMapToV2() {
		assertThat(SmartScope.parse("system/*.read").orElseThrow().interactions())
			.containsExactlyInAnyOrder(Interaction.READ, Interaction.SEARCH);
		assertThat(SmartScope.parse("user/Observation.write").orElseThrow().interactions())
			.containsExactlyInAnyOrder(Interaction.CREATE, Interaction.UPDATE, Interaction.DELETE);
		assertThat(SmartScope.parse("system/*.*").orElseThrow().interactions()).hasSize(5);
		assertThat(SmartScope.parse("system/Observation.read?category=laboratory")).isEmpty();
	}

	@Test
	void grantsCoverTypesAndWildcards() {
		Grants grants = Grants.of("openid system/Observation.cu system/*.s patient/*.rs");
		assertThat(grants.allows("Observation", Interaction.CREATE)).isTrue();
		assertThat(grants.allows("Observation", Interaction.DELETE)).isFalse();
		assertThat(grants.allows("Specimen", Interaction.SEARCH)).isTrue();
		assertThat(grants.allows("Patient", Interaction.READ)).as("patient scopes without a patient claim").isFalse();
		assertThat(grants.ignored()).hasSize(1);
		assertThat(Grants.of((String) null).effective()).isEmpty();
		assertThat(Grants.of("hemefhir/admin").admin()).isTrue();
		Grants patient = Grants.of("patient/*.rs", "123");
		assertThat(patient.allows("Observation", Interaction.READ)).isTrue();
		assertThat(patient.allowsEverywhere("Observation", Interaction.READ)).as("only in the compartment").isFalse();
		assertThat(patient.patient()).isEqualTo("123");
	}

	@Test
	void searchRestrictionsAreParsedAsParameters() {
		SmartScope scope = SmartScope.parse(
				"patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category%7Claboratory&status=final")
			.orElseThrow();
		assertThat(scope.restricted()).isTrue();
		assertThat(scope.restrictionParameters()).containsExactly(
				entry("category", List.of("http://terminology.hl7.org/CodeSystem/observation-category|laboratory")),
				entry("status", List.of("final")));
		assertThat(scope).hasToString(
				"patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category%7Claboratory&status=final");
		assertThat(SmartScope.parse("system/Observation.rs").orElseThrow().restrictionParameters()).isEmpty();
	}

	@Test
	void restrictedScopesGrantTheirInteractionsButNoExport() {
		Grants grants = Grants.of("system/Observation.rs?category=laboratory system/Patient.rs");
		assertThat(grants.allows("Observation", Interaction.SEARCH)).isTrue();
		assertThat(grants.allowsAll("Observation", Interaction.READ)).isFalse();
		assertThat(grants.allowsAll("Patient", Interaction.READ)).isTrue();
		assertThat(grants.exportable(List.of("Observation", "Patient", "Specimen"), false)).containsExactly("Patient");
	}

	@Test
	void theAuditTrailIsReadOnlyWithAScopeNamingIt() {
		Grants wildcard = Grants.of("system/*.cruds user/*.read system/*.*");
		assertThat(wildcard.allows("AuditEvent", Interaction.SEARCH)).isFalse();
		assertThat(wildcard.allows("AuditEvent", Interaction.READ)).isFalse();
		assertThat(wildcard.allows("Observation", Interaction.READ)).isTrue();
		assertThat(wildcard.exportable(List.of("AuditEvent", "Observation"), false)).containsExactly("Observation");
		Grants named = Grants.of("system/AuditEvent.cruds");
		assertThat(named.allows("AuditEvent", Interaction.SEARCH)).isTrue();
		assertThat(named.allows("AuditEvent", Interaction.READ)).isTrue();
		for (Interaction write : List.of(Interaction.CREATE, Interaction.UPDATE, Interaction.DELETE)) {
			assertThat(named.allows("AuditEvent", write)).as(write.name()).isFalse();
		}
		assertThat(Grants.of("user/AuditEvent.read").allows("AuditEvent", Interaction.SEARCH)).isTrue();
		assertThat(Grants.of("patient/*.rs", "123").allows("AuditEvent", Interaction.READ)).isFalse();
	}

	@Test
	void theDeidentifiedExportScopeTurnsReadScopesIntoExportOnly() {
		Grants grants = Grants.of(Grants.DEIDENTIFIED_EXPORT_SCOPE + " system/Observation.rs system/Patient.cruds");
		assertThat(grants.deidentifiedOnly()).isTrue();
		assertThat(grants.allows("Observation", Interaction.READ)).isFalse();
		assertThat(grants.allows("Patient", Interaction.CREATE)).isFalse();
		assertThat(grants.effective()).isEmpty();
		assertThat(grants.exportable(List.of("Observation", "Patient", "Specimen"), false))
			.containsExactly("Observation", "Patient");
		assertThat(Grants.of(Grants.DEIDENTIFIED_EXPORT_SCOPE + " " + Grants.ADMIN_SCOPE).deidentifiedOnly())
			.as("admin stays admin")
			.isFalse();
	}

	@Test
	void offListensOnLoopbackUnlessAnonymousUseIsAllowed() throws Exception {
		InetAddress lan = InetAddress.getByName("192.0.2.10");
		assertThat(LoopbackOnly.bindAddress(properties(Mode.OFF, false), null).isLoopbackAddress()).isTrue();
		assertThat(LoopbackOnly.bindAddress(properties(Mode.OFF, false), InetAddress.getLoopbackAddress()))
			.isEqualTo(InetAddress.getLoopbackAddress());
		assertThatThrownBy(() -> LoopbackOnly.bindAddress(properties(Mode.OFF, false), lan))
			.hasMessageContaining("allow-anonymous");
		assertThat(LoopbackOnly.bindAddress(properties(Mode.OFF, true), lan)).isEqualTo(lan);
		assertThat(LoopbackOnly.bindAddress(properties(Mode.OFF, true), null)).isNull();
		assertThat(LoopbackOnly.bindAddress(properties(Mode.SMART, false), null)).isNull();
	}

	@Test
	void symmetricAlgorithmsAndNoneAreRefusedAtStart() {
		for (String algorithm : List.of("HS256", "none")) {
			SecurityProperties hmac = new SecurityProperties(Mode.SMART, false, "https://idp", "aud",
					Path.of("jwks.json"), null, null, List.of("RS256", algorithm), Duration.ofSeconds(30), null, null,
					null, Duration.ofMinutes(5), Duration.ofMinutes(5), null, null, null, null);
			assertThatThrownBy(() -> new SecurityConfig().jwtDecoder(hmac, null)).hasMessageContaining(algorithm)
				.hasMessageContaining("refused");
		}
		SecurityProperties noIssuer = new SecurityProperties(Mode.SMART, false, null, null, null, null, null,
				List.of("RS256"), Duration.ofSeconds(30), null, null, null, Duration.ofMinutes(5),
				Duration.ofMinutes(5), null, null, null, null);
		assertThatThrownBy(() -> new SecurityConfig().jwtDecoder(noIssuer, null))
			.hasMessageContaining("hemefhir.security.issuer");
	}

	private static SecurityProperties properties(Mode mode, boolean allowAnonymous) {
		return new SecurityProperties(mode, allowAnonymous, null, null, null, null, null, List.of("RS256"),
				Duration.ofSeconds(30), null, null, null, Duration.ofMinutes(5), Duration.ofMinutes(5), null, null,
				null, null);
	}

}
