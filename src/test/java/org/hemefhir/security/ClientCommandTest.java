package org.hemefhir.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code client create} and {@code client list}, and the server reading their file. */
class ClientCommandTest {

	@TempDir
	Path dir;

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	@Test
	void createWritesThePrivateKeyForTheClientAndThePublicKeyForTheServer() throws Exception {
		assertThat(run("create", "--name", "lab-feed", "--scopes", "system/Observation.cu system/Patient.r"))
			.isEqualTo(ClientCommand.OK);
		Path privateKey = dir.resolve("lab-feed.private-jwk.json");
		JWK key = JWK.parse(Files.readString(privateKey));
		assertThat(key).isInstanceOf(ECKey.class);
		assertThat(key.isPrivate()).isTrue();
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateKey))).isEqualTo("rw-------");
		assertThat(Files.readString(dir.resolve("clients.json"))).doesNotContain("\"d\"");
		assertThat(out.toString(StandardCharsets.UTF_8)).contains("client_assertion_type", "ES384", "/oauth2/token");

		ClientRegistry registry = new ClientRegistry(properties(), dir.resolve("clients.json"));
		assertThat(registry.findByClientId("lab-feed").getScopes()).containsExactlyInAnyOrder("system/Observation.cu",
				"system/Patient.r");
		assertThat(registry.keys("lab-feed")).isNotNull();
	}

	@Test
	void clientsCanBeRegisteredInConfigurationWithInlineKeys() throws Exception {
		ECKey key = new ECKeyGenerator(Curve.P_384).keyID("k1").generate();
		SecurityProperties.Client configured = new SecurityProperties.Client("validator", "Validation pipeline",
				List.of(Grants.VALIDATE_SCOPE), new JWKSet(key).toString(), null, null);
		ClientRegistry registry = new ClientRegistry(properties(List.of(configured)), dir.resolve("clients.json"));
		assertThat(registry.findByClientId("validator").getClientName()).isEqualTo("Validation pipeline");
		assertThat(registry.findByClientId("validator").getScopes()).containsExactly(Grants.VALIDATE_SCOPE);
		// the private part given by mistake is not kept
		assertThat(registry.keys("validator")
			.get(new com.nimbusds.jose.jwk.JWKSelector(new com.nimbusds.jose.jwk.JWKMatcher.Builder().build()), null))
			.allSatisfy(k -> assertThat(k.isPrivate()).isFalse());
		SecurityProperties.Client unknownScope = new SecurityProperties.Client("x", null, List.of("root"),
				new JWKSet(key.toPublicJWK()).toString(), null, null);
		org.assertj.core.api.Assertions
			.assertThatThrownBy(
					() -> new ClientRegistry(properties(List.of(unknownScope)), dir.resolve("clients.json")))
			.hasMessageContaining("root");
		SecurityProperties.Client weakKey = new SecurityProperties.Client("y", null, List.of("system/*.rs"),
				new JWKSet(new ECKeyGenerator(Curve.P_256).generate().toPublicJWK()).toString(), null, null);
		org.assertj.core.api.Assertions
			.assertThatThrownBy(() -> new ClientRegistry(properties(List.of(weakKey)), dir.resolve("clients.json")))
			.hasMessageContaining("no usable key");
	}

	@Test
	void rsaKeysOnRequest() throws Exception {
		assertThat(run("create", "--name", "research", "--scopes", "system/*.rs", "--key-type", "rsa"))
			.isEqualTo(ClientCommand.OK);
		assertThat(JWK.parse(Files.readString(dir.resolve("research.private-jwk.json")))).isInstanceOf(RSAKey.class);
		run("list");
		assertThat(out.toString(StandardCharsets.UTF_8)).contains("research\tsystem/*.rs");
	}

	@Test
	void aNameIsRegisteredOnce() {
		assertThat(run("create", "--name", "lab-feed", "--scopes", "system/Observation.c")).isEqualTo(ClientCommand.OK);
		assertThat(run("create", "--name", "lab-feed", "--scopes", "system/Observation.c", "--out",
				dir.resolve("other").toString()))
			.isEqualTo(ClientCommand.FAILED);
		assertThat(err.toString(StandardCharsets.UTF_8)).contains("already registered");
	}

	@Test
	void unknownScopesAndBadArgumentsAreRefused() {
		assertThat(run("create", "--name", "x", "--scopes", "system/Observation.everything"))
			.isEqualTo(ClientCommand.USAGE);
		assertThat(run("create", "--name", "../etc", "--scopes", "system/*.rs")).isEqualTo(ClientCommand.USAGE);
		assertThat(run("create", "--name", "x")).isEqualTo(ClientCommand.USAGE);
		assertThat(run("create", "--nme", "x")).isEqualTo(ClientCommand.USAGE);
		assertThat(Files.exists(dir.resolve("clients.json"))).isFalse();
	}

	@Test
	void narrowerRequestsAreCoveredByWiderRegistrations() {
		assertThat(ScopeRequests.covered("system/Observation.rs", List.of("system/*.rs"))).isTrue();
		assertThat(ScopeRequests.covered("system/Observation.r", List.of("system/Observation.read"))).isTrue();
		assertThat(ScopeRequests.covered("system/Observation.rs?category=laboratory", List.of("system/*.rs"))).isTrue();
		assertThat(ScopeRequests.covered("system/Observation.rs", List.of("system/Observation.rs?category=laboratory")))
			.isFalse();
		assertThat(ScopeRequests.covered("system/Observation.cu", List.of("system/*.rs"))).isFalse();
		assertThat(ScopeRequests.covered("user/Observation.rs", List.of("system/*.rs"))).isFalse();
		assertThat(ScopeRequests.covered(Grants.ADMIN_SCOPE, List.of("system/*.cruds"))).isFalse();
		assertThat(ScopeRequests.covered("system/AuditEvent.rs", List.of("system/*.rs"))).isFalse();
		assertThat(ScopeRequests.covered("system/AuditEvent.rs", List.of("system/AuditEvent.rs"))).isTrue();
		assertThat(ScopeRequests.covered(Grants.ADMIN_SCOPE, List.of(Grants.ADMIN_SCOPE))).isTrue();
	}

	private int run(String... args) {
		String[] all = new String[args.length + 4];
		System.arraycopy(args, 0, all, 0, args.length);
		if (args[0].equals("list")) {
			all = new String[] { "list", "--clients-file", dir.resolve("clients.json").toString() };
		}
		else {
			all[args.length] = "--clients-file";
			all[args.length + 1] = dir.resolve("clients.json").toString();
			all[args.length + 2] = "--out";
			all[args.length + 3] = List.of(args).contains("--out") ? dir.resolve("unused").toString() : dir.toString();
		}
		return ClientCommand.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
	}

	private static SecurityProperties properties() {
		return properties(List.of());
	}

	private static SecurityProperties properties(List<SecurityProperties.Client> clients) {
		return new SecurityProperties(SecurityProperties.Mode.SMART, false, "https://hemefhir.test", null, null, null,
				null, List.of("RS384"), Duration.ofSeconds(30), clients, null, null, Duration.ofMinutes(5),
				Duration.ofMinutes(5), null, null, null, null);
	}

}
