package org.hemefhir.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.hemefhir.system.PrivateFiles;

/**
 * {@code java -jar hemefhir.jar client create --name lab-feed --scopes "..."}: registers
 * a client of the built-in authorization server. It makes the client's key pair (EC P-384
 * for ES384, or RSA 3072 for RS384), adds the client with its public key to the clients
 * file, which a running server reads again, writes the private key for the client, and
 * prints what the client needs. {@code client list} shows the registered clients.
 */
public final class ClientCommand {

	public static final String NAME = "client";

	static final int OK = 0;

	static final int FAILED = 1;

	static final int USAGE = 2;

	static final String HELP = """
			Usage:
			  client create --name NAME --scopes "SCOPE ..." [--key-type ec|rsa] [--out DIR]
			                [--clients-file FILE | --data-dir DIR]
			  client list [--clients-file FILE | --data-dir DIR]

			  --name        the client id (letters, digits, . _ -), also shown in the audit trail
			  --scopes      what the client may ask for, e.g. "system/Observation.cu system/Patient.r"
			  --key-type    ec (ES384, default) or rsa (RS384)
			  --out         where the client's private key is written (default: current directory)
			  --clients-file  the server's clients file (default <data-dir>/clients.json)
			  --data-dir    the server's hemefhir.data-dir (default ./data)
			""";

	private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

	private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

	private ClientCommand() {
	}

	/** Entry point from {@code HemeFhirApplication.main}; returns the exit code. */
	public static int main(String[] args) {
		return run(args, System.out, System.err);
	}

	static int run(String[] args, PrintStream out, PrintStream err) {
		Map<String, String> options;
		try {
			options = options(args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args);
		}
		catch (IllegalArgumentException e) {
			err.println(e.getMessage());
			err.print(HELP);
			return USAGE;
		}
		Path clientsFile = options.containsKey("clients-file") ? Path.of(options.get("clients-file"))
				: Path.of(options.getOrDefault("data-dir", "./data")).resolve("clients.json");
		String command = args.length > 0 ? args[0] : "";
		try {
			switch (command) {
				case "create":
					return create(options, clientsFile, out, err);
				case "list":
					for (SecurityProperties.Client client : ClientRegistry.readFile(clientsFile)) {
						out.println(client.id() + "\t" + String.join(" ", client.scopes()));
					}
					return OK;
				default:
					err.print(HELP);
					return USAGE;
			}
		}
		catch (IOException | IllegalStateException e) {
			err.println("client " + command + ": " + e.getMessage());
			return FAILED;
		}
	}

	private static int create(Map<String, String> options, Path clientsFile, PrintStream out, PrintStream err)
			throws IOException {
		String id = options.get("name");
		String scopeText = options.get("scopes");
		if (id == null || !CLIENT_ID.matcher(id).matches()) {
			err.println("--name is needed: 1 to 64 letters, digits, '.', '_' or '-'");
			return USAGE;
		}
		if (scopeText == null || scopeText.isBlank()) {
			err.println("--scopes is needed, e.g. \"system/Observation.cu system/Patient.r\"");
			return USAGE;
		}
		List<String> scopes = Arrays.asList(scopeText.trim().split("\\s+"));
		for (String scope : scopes) {
			if (!ScopeRequests.known(scope)) {
				err.println("Scope '" + scope + "' is not one this server grants (SMART system/, user/, patient/ "
						+ "scopes, " + String.join(", ", ScopeRequests.SERVER_SCOPES) + ")");
				return USAGE;
			}
		}
		if (ClientRegistry.readFile(clientsFile).stream().anyMatch(c -> id.equals(c.id()))) {
			err.println("Client " + id + " is already registered in " + clientsFile);
			return FAILED;
		}
		String keyType = options.getOrDefault("key-type", "ec");
		JWK key = key(keyType);
		if (key == null) {
			err.println("--key-type is ec or rsa");
			return USAGE;
		}
		Path privateKeyFile = Path.of(options.getOrDefault("out", ".")).resolve(id + ".private-jwk.json");
		if (Files.exists(privateKeyFile)) {
			err.println(privateKeyFile + " exists; choose another --out or remove it");
			return FAILED;
		}
		Files.createDirectories(privateKeyFile.toAbsolutePath().getParent());
		Files.writeString(privateKeyFile, key.toJSONString());
		PrivateFiles.ownerOnly(privateKeyFile);
		addToClientsFile(clientsFile, id, scopes, key.toPublicJWK());
		String algorithm = "ec".equals(keyType) ? "ES384" : "RS384";
		out.println("Registered client " + id + " in " + clientsFile + " with scopes: " + String.join(" ", scopes));
		out.println(
				"Private key for the client (keep it secret; the server holds only the public key): " + privateKeyFile);
		out.println();
		out.println("The client gets an access token (SMART Backend Services) with:");
		out.println("  POST <issuer>" + AuthorizationServerConfig.TOKEN_PATH
				+ "   (Content-Type: application/x-www-form-urlencoded)");
		out.println("    grant_type=client_credentials");
		out.println("    scope=" + String.join(" ", scopes));
		out.println("    client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
		out.println("    client_assertion=<a JWT it signs " + algorithm + " with its private key (kid " + key.getKeyID()
				+ "):");
		out.println("      iss and sub " + id + ", aud <issuer>" + AuthorizationServerConfig.TOKEN_PATH
				+ ", exp at most 5 minutes ahead, a new jti each time>");
		out.println("and sends the token as 'Authorization: Bearer <access_token>'. A running server reads "
				+ clientsFile.getFileName() + " again within a second.");
		return OK;
	}

	private static JWK key(String keyType) {
		try {
			switch (keyType) {
				case "ec":
					return new ECKeyGenerator(Curve.P_384).keyUse(KeyUse.SIGNATURE)
						.algorithm(JWSAlgorithm.ES384)
						.keyIDFromThumbprint(true)
						.generate();
				case "rsa":
					return new RSAKeyGenerator(3072).keyUse(KeyUse.SIGNATURE)
						.algorithm(JWSAlgorithm.RS384)
						.keyIDFromThumbprint(true)
						.generate();
				default:
					return null;
			}
		}
		catch (JOSEException e) {
			throw new IllegalStateException("Cannot make a key pair: " + e.getMessage(), e);
		}
	}

	/** Written to a new file moved over the old one, so the server never reads half. */
	private static void addToClientsFile(Path file, String id, List<String> scopes, JWK publicKey) throws IOException {
		ObjectNode root = Files.exists(file) ? (ObjectNode) JSON.readTree(file.toFile()) : JSON.createObjectNode();
		ArrayNode clients = root.has("clients") ? (ArrayNode) root.get("clients") : root.putArray("clients");
		ObjectNode client = clients.addObject();
		client.put("id", id);
		client.put("name", id);
		ArrayNode scopeArray = client.putArray("scopes");
		scopes.forEach(scopeArray::add);
		client.set("jwks", JSON.readTree(new JWKSet(publicKey).toString()));
		Path parent = file.toAbsolutePath().getParent();
		Files.createDirectories(parent);
		Path draft = Files.createTempFile(parent, ".clients", ".json");
		JSON.writeValue(draft.toFile(), root);
		Files.move(draft, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

	private static Map<String, String> options(String[] args) {
		Map<String, String> options = new LinkedHashMap<>();
		List<String> known = new ArrayList<>(List.of("name", "scopes", "key-type", "out", "clients-file", "data-dir"));
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			if (!arg.startsWith("--") || !known.contains(arg.substring(2))) {
				throw new IllegalArgumentException("Unknown argument: " + arg);
			}
			if (i + 1 >= args.length) {
				throw new IllegalArgumentException(arg + " needs a value");
			}
			options.put(arg.substring(2), args[++i]);
		}
		return options;
	}

}
