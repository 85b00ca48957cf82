package org.hemefhir.ingest.hl7v2;

/**
 * One reason a message cannot be stored, located as HL7 v2 locates it (ERR-2: segment,
 * its occurrence in the message, field) with an HL7 table 0357 error code; or, as a
 * warning (ERR-4 {@code W}), something the sender should know about a message that was
 * accepted.
 */
record Hl7v2Error(String segment, int sequence, Integer field, Code code, String message, boolean warning) {

	/**
	 * HL7 table 0357 (message error condition codes) as far as this interface uses it.
	 */
	enum Code {

		MESSAGE_ACCEPTED("0", "Message accepted"), SEGMENT_SEQUENCE_ERROR("100", "Segment sequence error"),
		REQUIRED_FIELD_MISSING("101", "Required field missing"), DATA_TYPE_ERROR("102", "Data type error"),
		TABLE_VALUE_NOT_FOUND("103", "Table value not found"),
		UNSUPPORTED_MESSAGE_TYPE("200", "Unsupported message type"),
		UNSUPPORTED_EVENT_CODE("201", "Unsupported event code"),
		UNSUPPORTED_VERSION_ID("203", "Unsupported version id"),
		UNKNOWN_KEY_IDENTIFIER("204", "Unknown key identifier"),
		DUPLICATE_KEY_IDENTIFIER("205", "Duplicate key identifier"),
		APPLICATION_RECORD_LOCKED("206", "Application record locked"),
		APPLICATION_INTERNAL_ERROR("207", "Application internal error");

		final String value;

		final String text;

		Code(String value, String text) {
			this.value = value;
			this.text = text;
		}

	}

	static Hl7v2Error at(String segment, int sequence, Integer field, Code code, String message) {
		return new Hl7v2Error(segment, sequence, field, code, message, false);
	}

	static Hl7v2Error warning(String segment, int sequence, String message) {
		return new Hl7v2Error(segment, sequence, null, Code.MESSAGE_ACCEPTED, message, true);
	}

	/** ERR-2 as encoded: {@code OBX^2^5}, or {@code PID^1} when no field is concerned. */
	String location() {
		return segment + "^" + sequence + (field == null ? "" : "^" + field);
	}

	@Override
	public String toString() {
		return location() + " " + code.value + ": " + message;
	}
}
