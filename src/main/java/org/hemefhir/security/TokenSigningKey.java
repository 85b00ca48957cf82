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
import org.hemefhir.system.PrivateFiles;

/**
 * The built-in authorization server's signing key, kept in a file so tokens stay valid
 * across restarts and on every node that shares the file. Made on first start; two nodes
 * starting together end with the same key (the file is linked into place atomically and
 * the second reads the first's).
 */
final class TokenSigningKey {

	private TokenSigningKey() {
	}

	static RSAKey loadOrCreate(Path file) {
		try {
			if (!Files.exists(file)) {
				RSAKey fresh = new RSAKeyGenerator(3072).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate();
				Path parent = file.toAbsolutePath().getParent();
				Files.createDirectories(parent);
				Path draft = Files.createTempFile(parent, ".signing-key", ".json");
				try {
					PrivateFiles.ownerOnly(draft);
					Files.writeString(draft, fresh.toJSONString());
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
			RSAKey key = RSAKey.parse(Files.readString(file));
			if (!key.isPrivate()) {
				throw new IllegalStateException("Token signing key " + file + " holds no private key");
			}
			return key;
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read or create the token signing key " + file, e);
		}
		catch (ParseException | JOSEException | ClassCastException e) {
			throw new IllegalStateException("Token signing key " + file + " is not an RSA JWK: " + e.getMessage(), e);
		}
	}

}
