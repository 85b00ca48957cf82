package org.hemefhir.ingest.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.util.Terser;

/**
 * Reading fields of a parsed v2 segment: a component or subcomponent as text, null when
 * empty.
 */
final class V2Fields {

	private V2Fields() {
	}

	/** Field component as text, null when empty. */
	static String get(Segment segment, int field, int component) throws HL7Exception {
		return get(segment, field, component, 1);
	}

	static String get(Segment segment, int field, int component, int subcomponent) throws HL7Exception {
		if (segment.getField(field).length == 0) {
			return null;
		}
		String value = Terser.get(segment, field, 0, component, subcomponent);
		return value == null || value.isBlank() ? null : value;
	}

	/** A field as quoted in an ERR segment: long values are cut. */
	static String shorten(String text) {
		return text == null || text.length() <= 40 ? text : text.substring(0, 40) + "…";
	}

}
