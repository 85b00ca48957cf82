package org.hemefhir.ingest.hl7v2;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Local assigning authorities of PID-3 (CX-4 namespace ids such as {@code HOSP}) as FHIR
 * identifier systems, from {@code hemefhir.hl7v2.assigning-authorities} and, for one
 * sending facility (MSH-4), {@code hemefhir.hl7v2.sending-facilities.<MSH-4>...}. Names
 * match without regard to case: environment variables arrive in lower case.
 */
final class AssigningAuthorities {

	static final AssigningAuthorities NONE = new AssigningAuthorities(Map.of(), Map.of());

	private final Map<String, String> general;

	private final Map<String, Hl7v2Properties.SendingFacility> facilities;

	private AssigningAuthorities(Map<String, String> general, Map<String, Hl7v2Properties.SendingFacility> facilities) {
		this.general = general;
		this.facilities = facilities;
	}

	static AssigningAuthorities of(Hl7v2Properties properties) {
		return new AssigningAuthorities(properties.assigningAuthorities(), properties.sendingFacilities());
	}

	/** The identifier system of {@code namespace} in a message from {@code facility}. */
	Optional<String> system(String facility, String namespace) {
		String key = namespace.trim().toUpperCase(Locale.ROOT);
		Hl7v2Properties.SendingFacility own = facility == null ? null
				: facilities.get(facility.trim().toUpperCase(Locale.ROOT));
		if (own != null && own.assigningAuthorities().containsKey(key)) {
			return Optional.of(own.assigningAuthorities().get(key));
		}
		return Optional.ofNullable(general.get(key));
	}

	/** What to configure for an unmapped namespace, for the sender's ERR segment. */
	static String howToMap(String facility, String namespace) {
		String general = "hemefhir.hl7v2.assigning-authorities." + namespace;
		return facility == null ? "set " + general : "set " + general + " (or hemefhir.hl7v2.sending-facilities."
				+ facility + ".assigning-authorities." + namespace + " for messages from " + facility + " alone)";
	}

}
