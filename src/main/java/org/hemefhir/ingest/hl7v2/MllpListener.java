package org.hemefhir.ingest.hl7v2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.hemefhir.audit.AuditTrail;
import org.hemefhir.fhirserver.ServerProperties;
import org.hemefhir.security.SecurityProperties;
import org.hemefhir.system.Admission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the MLLP listener on {@code hemefhir.hl7v2.mllp-port} while the application runs
 * (off when the port is 0). Messages are limited to {@code hemefhir.max-request-bytes},
 * as over HTTP.
 */
@Component
class MllpListener implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(MllpListener.class);

	private static final String IPV4 = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";

	private final Hl7v2Ingestor ingestor;

	private final Admission admission;

	private final Hl7v2Properties properties;

	private final long maxMessageBytes;

	private MllpServer server;

	private final SecurityProperties security;

	private final AuditTrail audit;

	MllpListener(Hl7v2Ingestor ingestor, Admission admission, Hl7v2Properties properties,
			ServerProperties serverProperties, SecurityProperties security, AuditTrail audit) {
		this.audit = audit;
		this.security = security;
		this.ingestor = ingestor;
		this.admission = admission;
		this.properties = properties;
		this.maxMessageBytes = serverProperties.maxRequestBytes().toBytes();
	}

	@Override
	public synchronized void start() {
		if (properties.mllpPort() <= 0 || server != null) {
			return;
		}
		Set<InetAddress> senders = senders(properties.mllpAllowedSenders());
		if (security.smart() && senders.isEmpty()) {
			throw new IllegalStateException("The MLLP listener takes no tokens: with hemefhir.security.mode=smart, "
					+ "list the laboratory systems' addresses in hemefhir.hl7v2.mllp-allowed-senders");
		}
		// security off and no anonymous use: a local demo, like the HTTP port
		InetAddress address = !security.smart() && !security.allowAnonymous() ? InetAddress.getLoopbackAddress() : null;
		MllpServer started = new MllpServer(ingestor, admission, audit, maxMessageBytes,
				properties.mllpMaxConnections(), properties.mllpIdleTimeout());
		try {
			started.start(properties.mllpPort(), address, senders);
		}
		catch (IOException e) {
			started.close();
			throw new UncheckedIOException("MLLP listener could not bind port " + properties.mllpPort(), e);
		}
		server = started;
		log.info("HL7 v2 MLLP listener on port {}", server.port());
	}

	/**
	 * IP addresses only: a host name would be looked up once and trusted after it moved.
	 */
	static Set<InetAddress> senders(List<String> addresses) {
		Set<InetAddress> senders = new HashSet<>();
		for (String address : addresses) {
			String literal = address.trim();
			if (!literal.matches(IPV4 + "(\\." + IPV4 + "){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
				throw new IllegalStateException(
						"hemefhir.hl7v2.mllp-allowed-senders: '" + address + "' is not an IP address");
			}
			try {
				senders.add(InetAddress.getByName(literal));
			}
			catch (UnknownHostException e) {
				throw new IllegalStateException(
						"hemefhir.hl7v2.mllp-allowed-senders: '" + address + "' is not an IP address", e);
			}
		}
		return senders;
	}

	@Override
	public synchronized void stop() {
		if (server != null) {
			server.close();
			server = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return server != null;
	}

}
