package org.hemefhir.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.hemefhir.BackendClient;
import org.hemefhir.HemeFhirApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * One server with the built-in authorization server for the tests that get tokens from it
 * (backend clients and signed-in users): started on first use, shared by those test
 * classes, closed when the JVM ends. Its clients are registered as an operator does
 * ({@code client create}), its users in configuration.
 */
final class BuiltInServer {

	static final String ISSUER = "https://hemefhir.test";

	/** A patient user's patient and another patient's, made by the tests. */
	static final String ALICE_PATIENT = "viewer-alice";

	static final String ALICE_PASSWORD = "alice-secret-1";

	static final String BOB_PASSWORD = "bob-secret-2";

	static final String PASSWORD = "same-for-the-others";

	private static BuiltInServer instance;

	private final ConfigurableApplicationContext context;

	private final Path dir;

	private final BackendClient admin;

	private BuiltInServer() {
		try {
			dir = Files.createDirectories(Path.of("target", "it-data", "authorization-server-" + UUID.randomUUID()));
			Path clients = dir.resolve("clients.json");
			BackendClient.register(clients, "lab-feed", "system/Observation.cu system/Patient.r");
			admin = BackendClient.register(clients, "admin", Grants.ADMIN_SCOPE);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(4);
		context = new SpringApplicationBuilder(HemeFhirApplication.class).run("--server.port=0",
				"--hemefhir.data-dir=" + dir.resolve("db"), "--hemefhir.samples.load=false",
				"--hemefhir.security.mode=smart", "--hemefhir.security.issuer=" + ISSUER,
				"--hemefhir.security.clients-file=" + dir.resolve("clients.json"),
				"--hemefhir.security.viewer.redirect-uris[0]=http://127.0.0.1:8765/viewer/",
				// a patient, who opens her own record
				"--hemefhir.security.users[0].username=alice",
				"--hemefhir.security.users[0].password={bcrypt}" + bcrypt.encode(ALICE_PASSWORD),
				"--hemefhir.security.users[0].name=Alice Example", "--hemefhir.security.users[0].scopes=patient/*.rs",
				"--hemefhir.security.users[0].patient=" + ALICE_PATIENT,
				// a clinician who reads everything (a plain-text password: warned at
				// start)
				"--hemefhir.security.users[1].username=bob",
				"--hemefhir.security.users[1].password={noop}" + BOB_PASSWORD,
				"--hemefhir.security.users[1].name=Dr Bob", "--hemefhir.security.users[1].scopes=user/*.rs",
				// an auditor: none of the viewer's scopes
				"--hemefhir.security.users[2].username=carol",
				"--hemefhir.security.users[2].password={bcrypt}" + bcrypt.encode(PASSWORD),
				"--hemefhir.security.users[2].scopes=user/AuditEvent.rs",
				// locked out by the failed sign-in test
				"--hemefhir.security.users[3].username=dora",
				"--hemefhir.security.users[3].password={bcrypt}" + bcrypt.encode(PASSWORD),
				"--hemefhir.security.users[3].scopes=user/*.rs",
				// a reader of Observations only
				"--hemefhir.security.users[4].username=erin",
				"--hemefhir.security.users[4].password={bcrypt}" + bcrypt.encode(PASSWORD),
				"--hemefhir.security.users[4].scopes=user/Observation.rs");
		Runtime.getRuntime().addShutdownHook(new Thread(context::close));
	}

	static synchronized BuiltInServer get() {
		if (instance == null) {
			instance = new BuiltInServer();
		}
		return instance;
	}

	int port() {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	/** Where the clients file and the clients' private keys ({@code keys/}) are. */
	Path dir() {
		return dir;
	}

	String adminToken() {
		return admin.token(port(), ISSUER, Grants.ADMIN_SCOPE);
	}

}
