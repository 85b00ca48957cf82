package org.hemefhir.security;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationCode;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;

/**
 * Authorizations between the authorization endpoint and the token endpoint: only those
 * whose code is neither redeemed nor expired, in this node's memory, at most
 * {@link #capacity} at once. Once the code is exchanged the authorization is dropped, so
 * a second redemption finds nothing; issued access tokens are self-contained JWTs and are
 * never kept (client credentials included), so nothing grows with the tokens issued.
 */
final class PendingAuthorizations implements OAuth2AuthorizationService {

	private static final OAuth2TokenType CODE = new OAuth2TokenType(OAuth2ParameterNames.CODE);

	private final int capacity;

	private final Map<String, OAuth2Authorization> byId = new ConcurrentHashMap<>();

	private final Map<String, String> idByCode = new ConcurrentHashMap<>();

	PendingAuthorizations(int capacity) {
		this.capacity = capacity;
	}

	@Override
	public synchronized void save(OAuth2Authorization authorization) {
		OAuth2Authorization.Token<OAuth2AuthorizationCode> code = authorization.getToken(OAuth2AuthorizationCode.class);
		if (code == null || !code.isActive() || authorization.getAccessToken() != null) {
			// nothing left to redeem: client credentials, or a code just exchanged
			remove(authorization);
			return;
		}
		if (!byId.containsKey(authorization.getId())) {
			dropExpired();
			if (byId.size() >= capacity) {
				throw new OAuth2AuthenticationException(new OAuth2Error("temporarily_unavailable",
						"Too many sign-ins are in progress on this server; try again in a minute", null));
			}
		}
		byId.put(authorization.getId(), authorization);
		idByCode.put(code.getToken().getTokenValue(), authorization.getId());
	}

	@Override
	public synchronized void remove(OAuth2Authorization authorization) {
		OAuth2Authorization kept = byId.remove(authorization.getId());
		if (kept != null) {
			forgetCode(kept);
		}
		forgetCode(authorization);
	}

	@Override
	public OAuth2Authorization findById(String id) {
		return id == null ? null : byId.get(id);
	}

	@Override
	public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
		if (token == null || !(tokenType == null || CODE.equals(tokenType))) {
			return null;
		}
		String id = idByCode.get(token);
		return id == null ? null : byId.get(id);
	}

	int size() {
		return byId.size();
	}

	private void forgetCode(OAuth2Authorization authorization) {
		OAuth2Authorization.Token<OAuth2AuthorizationCode> code = authorization.getToken(OAuth2AuthorizationCode.class);
		if (code != null) {
			idByCode.remove(code.getToken().getTokenValue());
		}
	}

	private void dropExpired() {
		Instant now = Instant.now();
		byId.values().removeIf(authorization -> {
			OAuth2Authorization.Token<OAuth2AuthorizationCode> code = authorization
				.getToken(OAuth2AuthorizationCode.class);
			boolean expired = code == null || code.getToken().getExpiresAt() == null
					|| code.getToken().getExpiresAt().isBefore(now);
			if (expired && code != null) {
				idByCode.remove(code.getToken().getTokenValue());
			}
			return expired;
		});
	}

}
