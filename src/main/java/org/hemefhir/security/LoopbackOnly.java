package org.hemefhir.security;

import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * With security off, the server is a local demo: it listens on the loopback address
 * unless {@code hemefhir.security.allow-anonymous} says that anyone on the network may
 * use it.
 */
@Component
class LoopbackOnly implements WebServerFactoryCustomizer<ConfigurableWebServerFactory> {

	private static final Logger log = LoggerFactory.getLogger(LoopbackOnly.class);

	private final SecurityProperties security;

	private final org.springframework.boot.autoconfigure.web.ServerProperties server;

	LoopbackOnly(SecurityProperties security, org.springframework.boot.autoconfigure.web.ServerProperties server) {
		this.security = security;
		this.server = server;
	}

	@Override
	public void customize(ConfigurableWebServerFactory factory) {
		InetAddress address = bindAddress(security, server.getAddress());
		if (address != null) {
			factory.setAddress(address);
		}
		if (!security.smart()) {
			log.warn(
					"Security is off (hemefhir.security.mode=off): every client that reaches {} can read, write and export all data",
					address == null ? "this server" : address.getHostAddress());
		}
	}

	/**
	 * The address to listen on, or null to keep the configured one (all interfaces if
	 * none).
	 */
	static InetAddress bindAddress(SecurityProperties security, InetAddress configured) {
		if (security.smart() || security.allowAnonymous()) {
			return configured;
		}
		if (configured == null) {
			return InetAddress.getLoopbackAddress();
		}
		if (!configured.isLoopbackAddress()) {
			throw new IllegalStateException("server.address=" + configured.getHostAddress()
					+ " with hemefhir.security.mode=off would let anyone on the network use the server without a token: "
					+ "set hemefhir.security.mode=smart, or hemefhir.security.allow-anonymous=true if that is intended");
		}
		return configured;
	}

}
