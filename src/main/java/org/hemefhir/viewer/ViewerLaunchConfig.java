package org.hemefhir.viewer;

import java.util.LinkedHashMap;
import java.util.Map;
import org.hemefhir.security.SecurityProperties;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the course viewer's page at /viewer/ needs to start: whether it must sign in, as
 * which client, for which scopes, and where the FHIR API is. Public, like the page: it
 * holds no data.
 */
@RestController
class ViewerLaunchConfig {

	private final SecurityProperties security;

	ViewerLaunchConfig(SecurityProperties security) {
		this.security = security;
	}

	@GetMapping(path = "/viewer/config.json", produces = "application/json")
	ResponseEntity<Map<String, String>> config() {
		Map<String, String> config = new LinkedHashMap<>();
		config.put("security", security.smart() ? "smart" : "off");
		config.put("clientId", security.viewer().clientId());
		config.put("scope", SecurityProperties.Viewer.SCOPE);
		// the FHIR base the tokens are for (<issuer>/fhir with the built-in authorization
		// server, the configured audience with an external one); relative without tokens
		String audience = security.smart() ? security.effectiveAudience() : null;
		config.put("fhirBase", audience != null && !audience.isBlank() ? audience : "/fhir");
		return ResponseEntity.ok().cacheControl(CacheControl.noCache()).body(config);
	}

}
