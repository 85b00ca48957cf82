package org.hemefhir.course;

import static io.restassured.RestAssured.given;

/**
 * Builds and POSTs the resources of a small test course (one patient), shaped as the
 * HemeFHIR profiles require, so that course tests do not depend on the case data.
 */
final class PostedCourse {

	static final String SD = "http://hemefhir.org/fhir/StructureDefinition/";

	static final String LAB = """
			"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}]""";

	static final String TAGGED_ASSUMED = """
			"meta":{"tag":[{"system":"http://hemefhir.org/fhir/CodeSystem/data-origin","code":"assumed"}]},""";

	final String patient;

	PostedCourse(String patient) {
		this.patient = "Patient/" + patient;
	}

	/** POSTs a resource and returns its reference ({@code Type/id}). */
	static String post(String json) {
		String type = json.replaceAll("(?s).*?\"resourceType\"\\s*:\\s*\"(\\w+)\".*", "$1");
		String id = given().contentType("application/fhir+json;charset=UTF-8")
			.accept("application/fhir+json")
			.body(json)
			.post("/" + type)
			.then()
			.statusCode(201)
			.extract()
			.path("id");
		return type + "/" + id;
	}

	/** The assumed extension, for an element's extension array. */
	static String assumed(String text) {
		return """
				{"url":"%sassumed","valueString":"%s"}""".formatted(SD, text);
	}

	String regimen(String code, String phase, String start) {
		return post(
				"""
						{"resourceType":"CarePlan",
						 "extension":[
						  {"url":"%1$sregimen-code","valueCodeableConcept":{"coding":[{"system":"http://hemefhir.org/fhir/CodeSystem/regimen","code":"%2$s"}]}},
						  {"url":"%1$streatment-phase","valueCodeableConcept":{"coding":[{"system":"http://hemefhir.org/fhir/CodeSystem/treatment-phase","code":"%3$s"}]}}],
						 "status":"completed","intent":"plan","title":"%2$s %3$s","subject":{"reference":"%4$s"},
						 "period":{"start":"%5$s"}}
						"""
					.formatted(SD, code, phase, patient, start));
	}

	String transplant(String date) {
		return post(
				"""
						{"resourceType":"Procedure",
						 "extension":[
						  {"url":"%1$scd34-dose","valueQuantity":{"value":5,"unit":"10^6/kg","system":"http://unitsofmeasure.org","code":"10*6/kg"}},
						  {"url":"%1$shla-match","extension":[
						    {"url":"matched-antigens","valueRatio":{"numerator":{"value":7},"denominator":{"value":12}}},
						    {"url":"donor-type","valueCodeableConcept":{"coding":[{"system":"http://hemefhir.org/fhir/CodeSystem/hla-donor-type","code":"haploidentical"}]}}]}],
						 "status":"completed",
						 "code":{"coding":[{"system":"http://snomed.info/sct","code":"234336002","display":"Hemopoietic stem cell transplant"}]},
						 "subject":{"reference":"%2$s"},"performedDateTime":"%3$s"}
						"""
					.formatted(SD, patient, date));
	}

	/**
	 * A count (LOINC, 10*9/L) with a status; {@code extra} is inserted as further members
	 * (e.g. a treatment-day extension or {@code _effectiveDateTime}), {@code meta} before
	 * them.
	 */
	String count(String loinc, String date, String value, String status, String meta, String extra) {
		return post("""
				{"resourceType":"Observation",%s
				 "status":"%s",%s,
				 "code":{"coding":[{"system":"http://loinc.org","code":"%s"}]},
				 "subject":{"reference":"%s"},"effectiveDateTime":"%s",
				 "valueQuantity":{"value":%s,"unit":"10^9/L","system":"http://unitsofmeasure.org","code":"10*9/L"}%s}
				""".formatted(meta, status, LAB, loinc, patient, date, value, extra));
	}

	String anc(String date, String value, String status) {
		return count("751-8", date, value, status, "", "");
	}

	String specimen(String type) {
		return post("""
				{"resourceType":"Specimen","subject":{"reference":"%s"},
				 "type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0487","code":"%s"}]}}
				""".formatted(patient, type));
	}

	/** A qualitative flow MRD result (observation-code mrd-flow-presence). */
	String mrdPresence(String specimen, String date, String result, String status) {
		return post(
				"""
						{"resourceType":"Observation","status":"%s",%s,
						 "code":{"coding":[{"system":"http://hemefhir.org/fhir/CodeSystem/observation-code","code":"mrd-flow-presence"}]},
						 "subject":{"reference":"%s"},"effectiveDateTime":"%s",
						 "valueCodeableConcept":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"%s"}]},
						 "interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"%s"}]}],
						 "method":{"coding":[{"system":"http://hemefhir.org/fhir/CodeSystem/mrd-method","code":"flow-cytometry"}]},
						 "specimen":{"reference":"%s"}}
						"""
					.formatted(status, LAB, patient, date, result, result, specimen));
	}

	/** CD38 on abnormal cells, % (observation-code cd38-abnormal-cells). */
	String cd38(String specimen, String date, String percent) {
		return post(
				"""
						{"resourceType":"Observation","status":"final",%s,
						 "code":{"coding":[{"system":"http://hemefhir.org/fhir/CodeSystem/observation-code","code":"cd38-abnormal-cells"}]},
						 "subject":{"reference":"%s"},"effectiveDateTime":"%s",
						 "valueQuantity":{"value":%s,"unit":"%%","system":"http://unitsofmeasure.org","code":"%%"},
						 "specimen":{"reference":"%s"}}
						"""
					.formatted(LAB, patient, date, percent, specimen));
	}

	/**
	 * An adverse event (CTCAE Anemia) of a grade; {@code gradeExtension} marks the grade
	 * (inside its valueCodeableConcept) when not empty.
	 */
	String anemia(String date, int grade, String regimen, String gradeMark) {
		String mark = gradeMark.isEmpty() ? "" : ",\"extension\":[" + gradeMark + "]";
		return post(
				"""
						{"resourceType":"AdverseEvent",%s
						 "extension":[
						  {"url":"%sctcae-grade","valueCodeableConcept":{"coding":[{"system":"http://hemefhir.org/fhir/CodeSystem/ctcae-grade","code":"%d"}]%s}},
						  {"url":"%sregimen-reference","valueReference":{"reference":"%s"}}],
						 "actuality":"actual",
						 "event":{"coding":[{"system":"http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl","code":"C143283","display":"Anemia"}]},
						 "subject":{"reference":"%s"},"date":"%s"}
						"""
					.formatted(gradeMark.isEmpty() ? "" : TAGGED_ASSUMED, SD, grade, mark, SD, regimen, patient, date));
	}

	/** A treatment-day extension member list for {@link #count}. */
	static String treatmentDay(int day, String anchor) {
		return """
				,"extension":[{"url":"%streatment-day","extension":[{"url":"day","valueInteger":%d},
				 {"url":"anchor","valueReference":{"reference":"%s"}}]}]""".formatted(SD, day, anchor);
	}

}
