package org.hemefhir.ingest.hl7v2;

import static org.hemefhir.ingest.hl7v2.V2Fields.get;
import static org.hemefhir.ingest.hl7v2.V2Fields.shorten;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.segment.OBX;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.hemefhir.ingest.hl7v2.Hl7v2Error.Code;
import org.hemefhir.ingest.hl7v2.ResultCodes.Kind;
import org.hemefhir.ingest.hl7v2.ResultCodes.ResultCode;
import org.hemefhir.system.DecimalBounds;
import org.hemefhir.validation.IgTerminology;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Range;
import org.hl7.fhir.r4.model.Ratio;
import org.hl7.fhir.r4.model.StringType;

/**
 * The result of one OBX as a FHIR value: OBX-5 read by its type in OBX-2 (numbers, SN
 * comparators, ranges and ratios, coded MRD results, text, codes), the unit in OBX-6
 * converted to the one the profile asks for, and the MRD method in OBX-17. Each problem
 * is added to the message's errors at its field.
 */
final class ObxValues {

	/**
	 * Coded MRD results (OBX-5 of a CE/CWE/ST OBX) as v3 ObservationInterpretation codes.
	 */
	private static final Map<String, String[]> MRD_RESULT = Map.of("NEG", new String[] { "NEG", "Negative" },
			"NEGATIVE", new String[] { "NEG", "Negative" }, "POS", new String[] { "POS", "Positive" }, "POSITIVE",
			new String[] { "POS", "Positive" }, "DET", new String[] { "DET", "Detected" }, "DETECTED",
			new String[] { "DET", "Detected" }, "ND", new String[] { "ND", "Not detected" }, "NOT DETECTED",
			new String[] { "ND", "Not detected" });

	/**
	 * How laboratories write the MRD method in OBX-17, as codes of the IG's value set
	 * mrd-method.
	 */
	private static final Map<String, String> MRD_METHOD_ALIASES = Map.of("FLOW-CYTOMETRY", "flow-cytometry", "FC",
			"flow-cytometry", "FCM", "flow-cytometry", "FLOW CYTOMETRY", "flow-cytometry", "NGS", "ngs", "PCR", "pcr");

	private final List<Hl7v2Error> errors;

	private final String namespace;

	ObxValues(List<Hl7v2Error> errors, String namespace) {
		this.errors = errors;
		this.namespace = namespace;
	}

	void value(OBX obx, int seq, ResultCode code, Observation o) throws HL7Exception {
		String type = Optional.ofNullable(get(obx, 2, 1)).map(t -> t.toUpperCase(Locale.ROOT)).orElse("");
		String first = get(obx, 5, 1);
		if (first == null && get(obx, 5, 2) == null) {
			error("OBX", seq, 5, Code.REQUIRED_FIELD_MISSING, "OBX-5 (the result) is empty");
			return;
		}
		if (code.kind() == Kind.MRD
				&& (type.equals("CE") || type.equals("CWE") || type.equals("ST") || type.equals("TX"))) {
			String key = first == null ? "" : first.trim().toUpperCase(Locale.ROOT);
			String[] result = MRD_RESULT.get(key);
			if (result == null && get(obx, 5, 2) != null) {
				result = MRD_RESULT.get(get(obx, 5, 2).trim().toUpperCase(Locale.ROOT));
			}
			if (result == null) {
				error("OBX", seq, 5, Code.TABLE_VALUE_NOT_FOUND, "OBX-5 '" + first
						+ "' is not an MRD result; expected NEG, POS, DET or ND, or a percentage (OBX-2 NM)");
				return;
			}
			CodeableConcept concept = new CodeableConcept()
				.addCoding(new Coding(V2Codes.INTERPRETATION_SYSTEM, result[0], result[1]));
			o.setValue(concept);
			o.addInterpretation(concept.copy());
			return;
		}
		if (!type.equals("NM") && !type.equals("SN") && !type.isEmpty()) {
			error("OBX", seq, 2, Code.DATA_TYPE_ERROR,
					"OBX-2 '" + type + "': " + code.display() + " is numeric, so OBX-2 must be NM or SN");
			return;
		}
		Quantity quantity = number(obx, seq, type);
		if (quantity == null) {
			return;
		}
		BigDecimal value = quantity.getValue();
		String unit = Optional.ofNullable(get(obx, 6, 1)).orElse(get(obx, 6, 2));
		if (unit == null) {
			error("OBX", seq, 6, Code.REQUIRED_FIELD_MISSING,
					"OBX-6 (units) is empty; " + code.display() + " is expected in " + UcumUnits.accepted(code.unit()));
			return;
		}
		Optional<UcumUnits.Conversion> conversion = UcumUnits.toTarget(code.unit(), unit);
		if (conversion.isEmpty()) {
			error("OBX", seq, 6, Code.TABLE_VALUE_NOT_FOUND, "OBX-6 unit '" + unit + "' is not a unit of "
					+ code.display() + "; expected " + UcumUnits.accepted(code.unit()));
			return;
		}
		UcumUnits.Conversion c = conversion.get();
		quantity.setValue(c.apply(value)).setUnit(c.display()).setSystem(UcumUnits.SYSTEM).setCode(c.code());
		o.setValue(quantity);
	}

	/**
	 * OBX-5 of an NM or SN OBX as a Quantity without unit, or null after recording why
	 * not.
	 */
	Quantity number(OBX obx, int seq, String type) throws HL7Exception {
		Quantity quantity = new Quantity();
		String number = get(obx, 5, 1);
		if (type.equals("SN")) {
			String comparator = get(obx, 5, 1);
			number = get(obx, 5, 2);
			if (get(obx, 5, 3) != null || get(obx, 5, 4) != null) {
				// a count or a percentage is one number, at most bounded on one side
				error("OBX", seq, 5, Code.DATA_TYPE_ERROR,
						"OBX-5 '" + shorten(String.join("^", Optional.ofNullable(comparator).orElse(""),
								Optional.ofNullable(number).orElse(""), Optional.ofNullable(get(obx, 5, 3)).orElse(""),
								Optional.ofNullable(get(obx, 5, 4)).orElse("")))
								+ "' is a range or ratio (SN with a second number); this result is one number, "
								+ "sent as NM (0.4) or as SN with a comparator (<^0.1, >^1000)");
				return null;
			}
			if (comparator != null) {
				switch (comparator.trim()) {
					case "<" -> quantity.setComparator(Quantity.QuantityComparator.LESS_THAN);
					case "<=" -> quantity.setComparator(Quantity.QuantityComparator.LESS_OR_EQUAL);
					case ">" -> quantity.setComparator(Quantity.QuantityComparator.GREATER_THAN);
					case ">=" -> quantity.setComparator(Quantity.QuantityComparator.GREATER_OR_EQUAL);
					case "=" -> {
					}
					default -> {
						error("OBX", seq, 5, Code.DATA_TYPE_ERROR,
								"OBX-5 comparator '" + comparator + "' is not one of <, <=, >, >=, =");
						return null;
					}
				}
			}
		}
		Optional<String> refused = number == null ? Optional.empty() : DecimalBounds.problem(number.trim());
		if (refused.isPresent()) {
			// FHIR decimals are indexed as doubles (1e400 would fail in storage) and
			// written out in full
			error("OBX", seq, 5, Code.DATA_TYPE_ERROR, "OBX-5 is out of the range of a number: " + refused.get());
			return null;
		}
		BigDecimal value;
		try {
			value = new BigDecimal(number == null ? "" : number.trim());
		}
		catch (NumberFormatException e) {
			boolean compared = number != null && number.trim().matches("(<=|>=|<|>)\\s*[0-9.+-].*");
			error("OBX", seq, 5, Code.DATA_TYPE_ERROR, "OBX-5 '" + shorten(number) + "' is not a number"
					+ (compared ? "; a value with a comparator is sent as SN, e.g. OBX-2 SN and OBX-5 <^0.1" : ""));
			return null;
		}
		return quantity.setValue(value);
	}

	/**
	 * The value of a result HemeFHIR does not model, as sent: a number with the
	 * laboratory's unit (with its UCUM code when the unit is recognised, never
	 * converted), text, or a code.
	 */
	void otherValue(OBX obx, int seq, Observation o) throws HL7Exception {
		String type = Optional.ofNullable(get(obx, 2, 1)).map(t -> t.toUpperCase(Locale.ROOT)).orElse("");
		if (get(obx, 5, 1) == null && get(obx, 5, 2) == null) {
			error("OBX", seq, 5, Code.REQUIRED_FIELD_MISSING, "OBX-5 (the result) is empty");
			return;
		}
		if (type.equals("SN") && (get(obx, 5, 3) != null || get(obx, 5, 4) != null)) {
			rangeOrRatio(obx, seq, o);
			return;
		}
		switch (type) {
			case "NM", "SN" -> {
				Quantity quantity = number(obx, seq, type);
				if (quantity == null) {
					return;
				}
				sentUnit(obx, quantity);
				o.setValue(quantity);
			}
			case "ST", "TX", "FT" -> o.setValue(new StringType(get(obx, 5, 1)));
			case "CE", "CWE" -> o.setValue(V2Codes.concept(get(obx, 5, 1), get(obx, 5, 2), get(obx, 5, 3),
					get(obx, 5, 4), get(obx, 5, 5), get(obx, 5, 6), namespace));
			default -> error("OBX", seq, 2, type.isEmpty() ? Code.REQUIRED_FIELD_MISSING : Code.DATA_TYPE_ERROR,
					"OBX-2 (value type) " + (type.isEmpty() ? "is empty" : "'" + type + "' is not supported")
							+ "; expected NM, SN, ST, TX, FT, CE or CWE");
		}
	}

	/**
	 * OBX-6 on a quantity HemeFHIR does not model: the unit as sent, with its UCUM code
	 * when recognised.
	 */
	void sentUnit(OBX obx, Quantity quantity) throws HL7Exception {
		String unit = Optional.ofNullable(get(obx, 6, 1)).orElse(get(obx, 6, 2));
		if (unit == null) {
			return;
		}
		quantity.setUnit(Optional.ofNullable(get(obx, 6, 2)).orElse(unit));
		Optional<String> ucum = "UCUM".equalsIgnoreCase(get(obx, 6, 3)) ? Optional.of(unit.trim())
				: UcumUnits.ucumCode(unit);
		ucum.ifPresent(code -> quantity.setSystem(UcumUnits.SYSTEM).setCode(code));
	}

	/**
	 * An SN with two numbers: {@code ^10^-^20} is a range, {@code ^1^:^128} (or
	 * {@code /}) a ratio such as a titre.
	 */
	void rangeOrRatio(OBX obx, int seq, Observation o) throws HL7Exception {
		String separator = Optional.ofNullable(get(obx, 5, 3)).map(String::trim).orElse("");
		BigDecimal first = decimal(get(obx, 5, 2));
		BigDecimal second = decimal(get(obx, 5, 4));
		if (get(obx, 5, 1) != null || first == null || second == null
				|| !(separator.equals("-") || separator.equals(":") || separator.equals("/"))) {
			error("OBX", seq, 5, Code.DATA_TYPE_ERROR, "OBX-5 '"
					+ String.join("^", Optional.ofNullable(get(obx, 5, 1)).orElse(""),
							Optional.ofNullable(get(obx, 5, 2)).orElse(""), separator,
							Optional.ofNullable(get(obx, 5, 4)).orElse(""))
					+ "' is not a structured numeric the server reads: a range is ^low^-^high, a ratio ^n^:^d, each a number");
			return;
		}
		if (separator.equals("-")) {
			Quantity low = new Quantity().setValue(first);
			Quantity high = new Quantity().setValue(second);
			sentUnit(obx, low);
			sentUnit(obx, high);
			o.setValue(new Range().setLow(low).setHigh(high));
		}
		else {
			o.setValue(new Ratio().setNumerator(new Quantity().setValue(first))
				.setDenominator(new Quantity().setValue(second)));
		}
	}

	/**
	 * OBX-17 as the MRD method (a code of the IG's value set mrd-method), else the one
	 * the result code implies.
	 */
	void mrdMethod(OBX obx, int seq, ResultCode code, Observation o) throws HL7Exception {
		String given = Optional.ofNullable(get(obx, 17, 1)).orElse(get(obx, 17, 2));
		String methodCode = given == null ? code.defaultMethod()
				: MRD_METHOD_ALIASES.get(given.trim().toUpperCase(Locale.ROOT));
		Optional<Coding> method = methodCode == null ? Optional.empty()
				: IgTerminology.installed().find(IgTerminology.MRD_METHOD, methodCode);
		if (method.isEmpty()) {
			error("OBX", seq, 17, Code.TABLE_VALUE_NOT_FOUND,
					"OBX-17 method '" + given + "' is not an MRD method; expected flow-cytometry (FC), NGS or PCR");
			return;
		}
		o.setMethod(new CodeableConcept().addCoding(method.get().copy()));
	}

	private void error(String segment, int sequence, Integer field, Code code, String text) {
		errors.add(Hl7v2Error.at(segment, sequence, field, code, text));
	}

	/** A number within double range, or null. */
	private static BigDecimal decimal(String text) {
		if (text == null) {
			return null;
		}
		try {
			return DecimalBounds.parse(text);
		}
		catch (NumberFormatException e) {
			return null;
		}
	}

}
