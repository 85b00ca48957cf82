package org.hemefhir.security;

import java.util.List;
import org.hemefhir.security.SmartScope.Interaction;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * {@code POST /hl7v2} writes what an ORU^R01 maps to: Observations and their Specimens,
 * as conditional updates that create them the first time. The token needs both create and
 * update on both.
 */
final class Hl7v2Access {

	static final List<String> WRITTEN_TYPES = List.of("Observation", "Specimen");

	private Hl7v2Access() {
	}

	static boolean allowed(Authentication authentication) {
		if (!(authentication instanceof JwtAuthenticationToken token)) {
			return false;
		}
		Grants grants = Grants.of(token.getToken());
		return WRITTEN_TYPES.stream()
			.allMatch(t -> grants.allowsEverywhere(t, Interaction.CREATE)
					&& grants.allowsEverywhere(t, Interaction.UPDATE));
	}

}
