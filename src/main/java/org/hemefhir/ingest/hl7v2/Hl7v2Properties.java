package org.hemefhir.ingest.hl7v2;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * HL7 v2 result intake ({@code POST /hl7v2} and the MLLP listener).
 *
 * @param mllpPort TCP port of the MLLP listener; 0 leaves it off
 * @param mllpMaxConnections MLLP connections served at once; further connections are
 * closed
 * @param mllpIdleTimeout an MLLP connection that sends nothing for this long is closed
 * @param timeZone zone of v2 date/times that carry no offset (OBX-14, OBR-7, SPM-17)
 * @param mllpAllowedSenders IP addresses the MLLP listener accepts connections from;
 * empty: any (allowed only with security off, where the listener is on the loopback
 * address unless anonymous use is allowed)
 */
@ConfigurationProperties(prefix = "hemefhir.hl7v2")
public record Hl7v2Properties(@DefaultValue("0") int mllpPort, @DefaultValue("32") int mllpMaxConnections,
		@DefaultValue("5m") Duration mllpIdleTimeout, @DefaultValue("UTC") ZoneId timeZone, @DefaultValue( {
		}) List<String> mllpAllowedSenders){
}
