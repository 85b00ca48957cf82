package org.hemefhir.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
		Grants grants = Grants.of("openid system/Observation.cu system/*.s patient/*.rs system/Patient.r?x=y");
		assertThat(grants.allows("Observation", Interaction.CREATE)).isTrue();
		assertThat(grants.allows("Observation", Interaction.DELETE)).isFalse();
		assertThat(grants.allows("Specimen", Interaction.SEARCH)).isTrue();
		assertThat(grants.allows("Patient", Interaction.READ)).as("patient and restricted scopes grant nothing yet")
			.isFalse();
		assertThat(grants.notYetSupported()).hasSize(2);
		assertThat(Grants.of((String) null).effective()).isEmpty();
		assertThat(Grants.of("hemefhir/admin").admin()).isTrue();
		Grants patient = Grants.of("patient/*.rs", "123");
		assertThat(patient.allows("Observation", Interaction.READ)).isTrue();
		assertThat(patient.allowsEverywhere("Observation", Interaction.READ)).as("only in the compartment").isFalse();
		assertThat(patient.patient()).isEqualTo("123");
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
					null, Duration.ofMinutes(5), Duration.ofMinutes(5));
			assertThatThrownBy(() -> new SecurityConfig().jwtDecoder(hmac, null)).hasMessageContaining(algorithm)
				.hasMessageContaining("refused");
		}
		SecurityProperties noIssuer = new SecurityProperties(Mode.SMART, false, null, null, null, null, null,
				List.of("RS256"), Duration.ofSeconds(30), null, null, null, Duration.ofMinutes(5),
				Duration.ofMinutes(5));
		assertThatThrownBy(() -> new SecurityConfig().jwtDecoder(noIssuer, null))
			.hasMessageContaining("hemefhir.security.issuer");
	}

	private static SecurityProperties properties(Mode mode, boolean allowAnonymous) {
		return new SecurityProperties(mode, allowAnonymous, null, null, null, null, null, List.of("RS256"),
				Duration.ofSeconds(30), null, null, null, Duration.ofMinutes(5), Duration.ofMinutes(5));
	}

}
