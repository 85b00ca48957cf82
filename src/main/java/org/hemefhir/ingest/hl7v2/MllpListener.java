package org.hemefhir.ingest.hl7v2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import org.hemefhir.audit.AuditTrail;
import org.hemefhir.fhirserver.ServerProperties;
import org.hemefhir.security.SecurityProperties;
import org.hemefhir.system.Admission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the MLLP listener on {@code hemefhir.hl7v2.mllp.port} while the application runs
 * (off when the port is 0). Messages are limited to {@code hemefhir.max-request-bytes},
 * as over HTTP. The configuration is checked before the port opens: senders are required
 * under smart security (MLLP carries no token), and TLS needs a usable SSL bundle.
 */
@Component
class MllpListener implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(MllpListener.class);

	private final Hl7v2Ingestor ingestor;

	private final Admission admission;

	private final Hl7v2Properties.Mllp properties;

	private final long maxMessageBytes;

	private final SecurityProperties security;

	private final SslBundles sslBundles;

	private final AuditTrail audit;

	private MllpServer server;

	MllpListener(Hl7v2Ingestor ingestor, Admission admission, Hl7v2Properties properties,
			ServerProperties serverProperties, SecurityProperties security, SslBundles sslBundles, AuditTrail audit) {
		this.audit = audit;
		this.ingestor = ingestor;
		this.admission = admission;
		this.properties = properties.mllp();
		this.maxMessageBytes = serverProperties.maxRequestBytes().toBytes();
		this.security = security;
		this.sslBundles = sslBundles;
	}

	@Override
	public synchronized void start() {
		if (properties.port() <= 0 || server != null) {
			return;
		}
		MllpSenders senders = MllpSenders.of(properties.senders());
		if (security.smart() && senders.isEmpty()) {
			throw new IllegalStateException("The MLLP listener takes no tokens: with hemefhir.security.mode=smart, "
					+ "configure the laboratory systems in hemefhir.hl7v2.mllp.senders (name and addresses)");
		}
		MllpTls tls = tls(senders);
		// security off and no anonymous use: a local demo, like the HTTP port
		InetAddress address = !security.smart() && !security.allowAnonymous() ? InetAddress.getLoopbackAddress() : null;
		MllpServer started = new MllpServer(ingestor, admission, audit, maxMessageBytes, properties.maxConnections(),
				properties.idleTimeout());
		try {
			started.start(properties.port(), address, senders, tls);
		}
		catch (IOException e) {
			started.close();
			throw new UncheckedIOException("MLLP listener could not bind port " + properties.port(), e);
		}
		server = started;
		log.info("HL7 v2 MLLP listener on port {}{}", server.port(), tls == null ? ""
				: " (TLS, client certificates " + tls.clientAuth().name().toLowerCase(java.util.Locale.ROOT) + ")");
	}

	/** TLS from its SSL bundle; null when off. */
	private MllpTls tls(MllpSenders senders) {
		Hl7v2Properties.Tls tls = properties.tls();
		if (!tls.enabled()) {
			if (senders.checkCertificates()) {
				throw new IllegalStateException("hemefhir.hl7v2.mllp.senders[].certificate-subject needs "
						+ "hemefhir.hl7v2.mllp.tls.enabled=true and client-auth want or need");
			}
			return null;
		}
		if (senders.checkCertificates() && tls.clientAuth() == Hl7v2Properties.ClientAuth.NONE) {
			throw new IllegalStateException("hemefhir.hl7v2.mllp.senders[].certificate-subject cannot be checked "
					+ "with hemefhir.hl7v2.mllp.tls.client-auth=none: set want or need");
		}
		if (tls.bundle() == null || tls.bundle().isBlank()) {
			throw new IllegalStateException(
					"hemefhir.hl7v2.mllp.tls.enabled=true needs hemefhir.hl7v2.mllp.tls.bundle: "
							+ "the name of a spring.ssl.bundle.jks.<name> or spring.ssl.bundle.pem.<name>");
		}
		try {
			return new MllpTls(sslBundles.getBundle(tls.bundle().trim()), tls.clientAuth(), tls.handshakeTimeout());
		}
		catch (NoSuchSslBundleException e) {
			throw new IllegalStateException("hemefhir.hl7v2.mllp.tls.bundle: no SSL bundle '" + tls.bundle()
					+ "' is configured under spring.ssl.bundle.jks or spring.ssl.bundle.pem", e);
		}
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
