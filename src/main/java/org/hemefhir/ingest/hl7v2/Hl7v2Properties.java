package org.hemefhir.ingest.hl7v2;

import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * HL7 v2 result intake ({@code POST /hl7v2} and the MLLP listener).
 *
 * @param timeZone zone of v2 date/times that carry no offset (OBX-14, OBR-7, SPM-17)
 * @param mllp the MLLP listener
 * @param assigningAuthorities PID-3 assigning authorities (CX-4 namespace ids such as
 * {@code HOSP} in {@code 12345^^^HOSP^MR}) and the FHIR identifier system each stands
 * for, e.g. {@code HOSP: urn:oid:1.2.3.4}; matched without regard to case. An authority
 * given as a URI or an ISO OID ({@code ^^^&1.2.3&ISO}) needs no entry
 * @param sendingFacilities settings for the messages of one sending facility, keyed by
 * MSH-4 (its namespace id); its assigning authorities take precedence over the general
 * ones
 */
@ConfigurationProperties(prefix = "hemefhir.hl7v2")
public record Hl7v2Properties(@DefaultValue("UTC") ZoneId timeZone, @DefaultValue Mllp mllp, @DefaultValue( {
	}) Map<String, String> assigningAuthorities, @DefaultValue({}) Map<String, SendingFacility> sendingFacilities){

	/** An absolute URI, the shape of a FHIR identifier system. */
	private static final Pattern URI = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*:\\S+");

	private static final Pattern OID_URN = Pattern.compile("urn:oid:[0-2](\\.(0|[1-9][0-9]*))+");

	public Hl7v2Properties {
		assigningAuthorities = checked("hemefhir.hl7v2.assigning-authorities", assigningAuthorities);
		sendingFacilities = checkedFacilities(sendingFacilities);
	}

	/** Facilities by upper-case MSH-4, each with its assigning authorities checked. */
	private static Map<String, SendingFacility> checkedFacilities(Map<String, SendingFacility> facilities) {
		Map<String, SendingFacility> upper = new LinkedHashMap<>();
		if (facilities != null) {
			facilities
				.forEach(
						(facility, settings) -> upper.put(facility.trim().toUpperCase(Locale.ROOT),
								new SendingFacility(checked(
										"hemefhir.hl7v2.sending-facilities." + facility + ".assigning-authorities",
										settings == null ? null : settings.assigningAuthorities()))));
		}
		return Map.copyOf(upper);
	}

	/**
	 * Assigning authorities with upper-case keys; a system that is no absolute URI (or a
	 * malformed urn:oid) stops the start, naming its key.
	 */
	private static Map<String, String> checked(String prefix, Map<String, String> authorities) {
		if (authorities == null) {
			return Map.of();
		}
		Map<String, String> upper = new LinkedHashMap<>();
		authorities.forEach((namespace, system) -> {
			String value = system == null ? "" : system.trim();
			if (!URI.matcher(value).matches() || (value.startsWith("urn:oid:") && !OID_URN.matcher(value).matches())) {
				throw new IllegalArgumentException(prefix + "." + namespace + " = '" + system
						+ "' is not an identifier system: give an absolute URI such as urn:oid:1.2.3.4 or https://hospital.example/mrn");
			}
			upper.put(namespace.trim().toUpperCase(Locale.ROOT), value);
		});
		return Map.copyOf(upper);
	}

	/**
	 * Settings for one sending facility
	 * ({@code hemefhir.hl7v2.sending-facilities.<MSH-4>}).
	 *
	 * @param assigningAuthorities PID-3 assigning authorities of this facility's messages
	 * and their identifier systems, as {@code hemefhir.hl7v2.assigning-authorities}
	 */
	public record SendingFacility(Map<String, String> assigningAuthorities) {
	}

	/**
	 * The MLLP listener ({@code hemefhir.hl7v2.mllp}).
	 *
	 * @param port TCP port of the MLLP listener; 0 leaves it off
	 * @param maxConnections MLLP connections served at once; further connections are
	 * closed
	 * @param idleTimeout an MLLP connection that sends nothing for this long is closed
	 * @param senders the laboratory systems that may connect, each with a name, its IP
	 * addresses or CIDR ranges and optionally the subject of its client certificate; a
	 * connection from any other address is closed unread. Empty: any address, attributed
	 * to "anonymous" (allowed only with security off, where the listener is on the
	 * loopback address unless anonymous use is allowed)
	 * @param tls TLS on the MLLP port
	 */
	public record Mllp(@DefaultValue("0") int port, @DefaultValue("32") int maxConnections,
			@DefaultValue("5m") Duration idleTimeout, @DefaultValue( {
			}) List<Sender> senders, @DefaultValue Tls tls){
	}

	/**
	 * One laboratory system ({@code hemefhir.hl7v2.mllp.senders[n]}).
	 *
	 * @param name how its messages are attributed (logs, audit)
	 * @param addresses IP addresses ({@code 10.0.0.5}, {@code fd00::5}) or CIDR ranges
	 * ({@code 10.0.0.0/28}) it connects from; no host names, which would be looked up
	 * once and trusted after they moved
	 * @param certificateSubject with TLS and client certificates: the subject DN
	 * ({@code CN=lab-a,O=Example Lab}) or the CN ({@code lab-a}) its certificate must
	 * have; unset: any certificate the trust store accepts
	 */
	public record Sender(String name, List<String> addresses, String certificateSubject) {
	}

	/**
	 * TLS on the MLLP port ({@code hemefhir.hl7v2.mllp.tls}); TLS 1.2 and 1.3 only.
	 *
	 * @param enabled serves MLLP over TLS only; plain connections fail the handshake
	 * @param bundle the Spring Boot SSL bundle with the server's key and certificate and,
	 * for client certificates, the trust store ({@code spring.ssl.bundle.jks.<name>} or
	 * {@code spring.ssl.bundle.pem.<name>})
	 * @param clientAuth client certificates: {@code none}, {@code want} (checked when
	 * sent, required for senders with a certificate-subject) or {@code need} (every
	 * connection must present one the bundle's trust store accepts)
	 * @param handshakeTimeout a connection that has not completed its TLS handshake this
	 * long after it was accepted is closed
	 */
	public record Tls(@DefaultValue("false") boolean enabled, String bundle,
			@DefaultValue("none") ClientAuth clientAuth, @DefaultValue("10s") Duration handshakeTimeout) {
	}

	/** Whether the TLS handshake asks for a client certificate. */
	public enum ClientAuth {

		NONE, WANT, NEED

	}

}
