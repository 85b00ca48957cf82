package org.hemefhir.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Files holding keys: readable and writable by the server's own user only. */
public final class PrivateFiles {

	private PrivateFiles() {
	}

	/**
	 * Owner read and write only; on a file system without POSIX permissions its defaults
	 * apply.
	 */
	public static void ownerOnly(Path file) throws IOException {
		try {
			Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
		}
		catch (UnsupportedOperationException notPosix) {
			// the file system's defaults apply
		}
	}

}
