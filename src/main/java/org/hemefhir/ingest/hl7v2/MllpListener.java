package org.hemefhir.ingest.hl7v2;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.hemefhir.fhirserver.ServerProperties;
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

	private final Hl7v2Ingestor ingestor;

	private final Admission admission;

	private final Hl7v2Properties properties;

	private final long maxMessageBytes;

	private MllpServer server;

	MllpListener(Hl7v2Ingestor ingestor, Admission admission, Hl7v2Properties properties,
			ServerProperties serverProperties) {
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
		MllpServer started = new MllpServer(ingestor, admission, maxMessageBytes, properties.mllpMaxConnections(),
				properties.mllpIdleTimeout());
		try {
			started.start(properties.mllpPort());
		}
		catch (IOException e) {
			started.close();
			throw new UncheckedIOException("MLLP listener could not bind port " + properties.mllpPort(), e);
		}
		server = started;
		log.info("HL7 v2 MLLP listener on port {}", server.port());
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
