package org.hemefhir.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.sql.DataSource;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Each client assertion is used once (RFC 7523, SMART Backend Services): its {@code jti}
 * is kept in the database until the assertion expires, so a replay is refused by any node
 * sharing the database.
 */
final class ClientAssertionReplay {

	private static final String TABLE = "hemefhir_client_assertion";

	private static final Duration PURGE_EVERY = Duration.ofMinutes(1);

	private final JdbcTemplate jdbc;

	private volatile Instant purgedAt = Instant.EPOCH;

	ClientAssertionReplay(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
		jdbc.execute("CREATE TABLE IF NOT EXISTS " + TABLE
				+ " (assertion_hash VARCHAR(64) NOT NULL PRIMARY KEY, expires_at BIGINT NOT NULL)");
	}

	/** True the first time the client's jti is seen, false for a replay. */
	boolean firstUse(String clientId, String jti, Instant expiresAt) {
		purgeExpired();
		try {
			jdbc.update("INSERT INTO " + TABLE + " (assertion_hash, expires_at) VALUES (?, ?)",
					hash(clientId + '\n' + jti), expiresAt.toEpochMilli());
			return true;
		}
		catch (DataIntegrityViolationException seen) {
			return false;
		}
	}

	private void purgeExpired() {
		Instant now = Instant.now();
		if (now.isAfter(purgedAt.plus(PURGE_EVERY))) {
			purgedAt = now;
			jdbc.update("DELETE FROM " + TABLE + " WHERE expires_at < ?", now.toEpochMilli());
		}
	}

	private static String hash(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

}
