package org.hemefhir.ingest.hl7v2;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Observation.ObservationStatus;

/**
 * OBX-11 (HL7 table 0085) as Observation.status, following the HL7 v2-to-FHIR ConceptMap
 * table-hl70085-to-observation-status (F, C, A, P, D, W, X), and what a result of that
 * status carries. Codes the ConceptMap leaves unmapped in R4 are mapped here: I and O
 * (nothing to report yet) to registered, N (not asked) to cancelled, R and S (unverified,
 * partial) to preliminary, U (now final) to final. X takes data-absent-reason
 * not-performed: the ConceptMap's "cannot-be-obtained" is no code of the R4 code system.
 */
enum ResultStatus {

	F(ObservationStatus.FINAL, Value.REQUIRED, null), C(ObservationStatus.CORRECTED, Value.REQUIRED, null),
	A(ObservationStatus.AMENDED, Value.REQUIRED, null), P(ObservationStatus.PRELIMINARY, Value.REQUIRED, null),
	R(ObservationStatus.PRELIMINARY, Value.REQUIRED, null), S(ObservationStatus.PRELIMINARY, Value.REQUIRED, null),
	U(ObservationStatus.FINAL, Value.SENT_OR_STORED, null),
	I(ObservationStatus.REGISTERED, Value.ABSENT, AbsentReason.TEMP_UNKNOWN),
	O(ObservationStatus.REGISTERED, Value.ABSENT, AbsentReason.TEMP_UNKNOWN),
	X(ObservationStatus.CANCELLED, Value.ABSENT, AbsentReason.NOT_PERFORMED),
	N(ObservationStatus.CANCELLED, Value.ABSENT, AbsentReason.NOT_ASKED),
	D(ObservationStatus.ENTEREDINERROR, Value.SENT_OR_STORED, null),
	W(ObservationStatus.ENTEREDINERROR, Value.SENT_OR_STORED, null);

	/** What OBX-5 holds under this status. */
	enum Value {

		/** the result; an empty OBX-5 is an error */
		REQUIRED,
		/** nothing to report: OBX-5, if sent, is only the reason's text */
		ABSENT,
		/** a status change: the result as sent, else the stored result's */
		SENT_OR_STORED

	}

	/** Codes of http://terminology.hl7.org/CodeSystem/data-absent-reason. */
	enum AbsentReason {

		TEMP_UNKNOWN("temp-unknown", "Temporarily Unknown"), NOT_PERFORMED("not-performed", "Not Performed"),
		NOT_ASKED("not-asked", "Not Asked");

		static final String SYSTEM = "http://terminology.hl7.org/CodeSystem/data-absent-reason";

		final String code;

		final String display;

		AbsentReason(String code, String display) {
			this.code = code;
			this.display = display;
		}

	}

	final ObservationStatus status;

	final Value value;

	final AbsentReason absentReason;

	ResultStatus(ObservationStatus status, Value value, AbsentReason absentReason) {
		this.status = status;
		this.value = value;
		this.absentReason = absentReason;
	}

	static Optional<ResultStatus> of(String obx11) {
		String code = obx11 == null ? "" : obx11.trim().toUpperCase(Locale.ROOT);
		return Arrays.stream(values()).filter(s -> s.name().equals(code)).findFirst();
	}

	/** The accepted codes, for error messages: "F, C, A, ...". */
	static String accepted() {
		return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
	}

}
