package org.hemefhir.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import org.hemefhir.fhirserver.SharedKeys;
import org.hemefhir.system.PrivateFiles;

/**
 * The built-in authorization server's signing key, so tokens stay valid across restarts
 * and on every node. Kept in the database unless a file is configured; two nodes starting
 * together end with the same key.
 */
final class TokenSigningKey {

	private TokenSigningKey() {
	}

	/** The key kept in the database; made on first start. */
	static RSAKey shared(SharedKeys keys, Path dataDir) {
		return parse(keys.getOrCreate(SharedKeys.Key.TOKEN_SIGNING, dataDir, () -> generate().toJSONString()),
				"The token signing key in the database");
	}

	/** The key in a configured file, made when missing. */
	static RSAKey loadOrCreate(Path file) {
		try {
			if (!Files.exists(file)) {
				Path parent = file.toAbsolutePath().getParent();
				Files.createDirectories(parent);
				Path draft = Files.createTempFile(parent, ".signing-key", ".json");
				try {
					PrivateFiles.ownerOnly(draft);
					Files.writeString(draft, generate().toJSONString());
					// link() fails if the file exists, where rename() would replace it
					Files.createLink(file, draft);
				}
				catch (FileAlreadyExistsException another) {
					// another node made it first
				}
				catch (UnsupportedOperationException noHardLinks) {
					Files.move(draft, file);
				}
				finally {
					Files.deleteIfExists(draft);
				}
			}
			return parse(Files.readString(file), "Token signing key " + file);
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read or create the token signing key " + file, e);
		}
	}

	private static RSAKey generate() {
		try {
			return new RSAKeyGenerator(3072).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate();
		}
		catch (JOSEException e) {
			throw new IllegalStateException("Cannot make a token signing key: " + e.getMessage(), e);
		}
	}

	private static RSAKey parse(String json, String what) {
		try {
			RSAKey key = RSAKey.parse(json);
			if (!key.isPrivate()) {
				throw new IllegalStateException(what + " holds no private key");
			}
			return key;
		}
		catch (ParseException | ClassCastException e) {
			throw new IllegalStateException(what + " is not an RSA JWK: " + e.getMessage(), e);
		}
	}

}
