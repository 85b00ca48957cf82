package org.hemefhir;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One server in {@code smart} mode for all integration tests that need tokens: it trusts
 * the test issuer of {@link TestTokens} through a JWKS file. Started on first use and
 * shared by every test class of the run (closed when the JVM ends), as Spring shares
 * {@link FhirIntegrationTest}'s context.
 */
public final class SmartServer {

	private static SmartServer instance;

	private final TestTokens tokens = new TestTokens();

	private final ConfigurableApplicationContext context;

	private final int port;

	private final Path dataDir;

	private SmartServer(List<String> extraArguments) {
		try {
			dataDir = Files.createDirectories(Path.of("target", "it-data", "smart-" + UUID.randomUUID()));
			List<String> arguments = new ArrayList<>(List.of("--server.port=0",
					"--hemefhir.data-dir=" + dataDir.resolve("db"), "--hemefhir.samples.load=false",
					"--hemefhir.security.mode=smart", "--hemefhir.security.issuer=" + TestTokens.ISSUER,
					"--hemefhir.security.audience=" + TestTokens.AUDIENCE,
					"--hemefhir.security.jwks-file=" + tokens.writeJwks(dataDir),
					"--hemefhir.security.token-endpoint=https://idp.test/realms/hemefhir/token",
					"--hemefhir.security.authorization-endpoint=https://idp.test/realms/hemefhir/auth",
					// HL7 v2 over MLLP with TLS and client certificates, from one
					// laboratory
					"--hemefhir.hl7v2.mllp.port=" + freePort(), "--hemefhir.hl7v2.mllp.senders[0].name=lab-a",
					"--hemefhir.hl7v2.mllp.senders[0].addresses=127.0.0.1",
					"--hemefhir.hl7v2.mllp.senders[0].certificate-subject=lab-a",
					"--hemefhir.hl7v2.mllp.tls.enabled=true", "--hemefhir.hl7v2.mllp.tls.bundle=mllp",
					"--hemefhir.hl7v2.mllp.tls.client-auth=need",
					"--spring.ssl.bundle.jks.mllp.keystore.location=classpath:mllp-tls/server.p12",
					"--spring.ssl.bundle.jks.mllp.keystore.password=changeit",
					"--spring.ssl.bundle.jks.mllp.keystore.type=PKCS12",
					"--spring.ssl.bundle.jks.mllp.truststore.location=classpath:mllp-tls/trust.p12",
					"--spring.ssl.bundle.jks.mllp.truststore.password=changeit",
					"--spring.ssl.bundle.jks.mllp.truststore.type=PKCS12"));
			arguments.addAll(extraArguments);
			context = new SpringApplicationBuilder(HemeFhirApplication.class).run(arguments.toArray(String[]::new));
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		port = ((WebServerApplicationContext) context).getWebServer().getPort();
		Runtime.getRuntime().addShutdownHook(new Thread(context::close));
	}

	private static int freePort() throws IOException {
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	/** The MLLP (TLS) port. */
	public int mllpPort() {
		return context.getEnvironment().getRequiredProperty("hemefhir.hl7v2.mllp.port", Integer.class);
	}

	/** The shared server, started on first use. */
	public static synchronized SmartServer get() {
		if (instance == null) {
			instance = new SmartServer(List.of());
		}
		return instance;
	}

	public TestTokens tokens() {
		return tokens;
	}

	public int port() {
		return port;
	}

	public Path dataDir() {
		return dataDir;
	}

	public ConfigurableApplicationContext context() {
		return context;
	}

	/** A FHIR JSON request to {@code /fhir} without a token. */
	public RequestSpecification anonymous() {
		return given().port(port)
			.basePath("/fhir")
			.contentType("application/fhir+json")
			.accept("application/fhir+json");
	}

	/** A FHIR JSON request to {@code /fhir} with a token for these scopes. */
	public RequestSpecification with(String scopes) {
		return as(tokens.token(scopes));
	}

	/** A FHIR JSON request to {@code /fhir} with this bearer token. */
	public RequestSpecification as(String token) {
		return anonymous().header("Authorization", "Bearer " + token);
	}

}
