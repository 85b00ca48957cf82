package org.hemefhir.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import org.hl7.fhir.r4.model.AdverseEvent;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;

class DeidentifierTest {

	private static final FhirContext R4 = FhirContext.forR4Cached();

	private static final LocalDate TODAY = LocalDate.of(2026, 11, 26);

	private static Deidentifier deidentifier(String key) {
		return new Deidentifier(R4, key.getBytes(StandardCharsets.UTF_8), 730, 1825, TODAY);
	}

	private static Patient patient(String birthDate) {
		Patient p = new Patient();
		p.setId("Patient/42");
		p.addIdentifier().setSystem("urn:test:mrn").setValue("MRN-0042");
		p.addName().setFamily("Doe").addGiven("Jane");
		p.addAddress().setCity("Kunming");
		p.addTelecom().setValue("+86 871 0000000");
		p.setGender(AdministrativeGender.FEMALE);
		p.setBirthDateElement(new DateType(birthDate));
		p.setText(new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED));
		p.getText().setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\">Jane Doe, MRN-0042</div>");
		return p;
	}

	private static Observation observation(String id, String date) {
		Observation o = new Observation();
		o.setId("Observation/" + id);
		o.addIdentifier().setSystem("urn:test:obs").setValue("obs-" + id);
		o.setSubject(new Reference("Patient/42").setDisplay("Jane Doe"));
		o.setEffective(new DateTimeType(date));
		o.setValue(new Quantity(1.2));
		o.addNote(new Annotation().setText("called Jane at home"));
		o.getMeta().addProfile("http://hemefhir.org/fhir/StructureDefinition/hemefhir-blood-count").setVersionId("3");
		return o;
	}

	private static String json(org.hl7.fhir.instance.model.api.IBaseResource r) {
		return R4.newJsonParser().encodeResourceToString(r);
	}

	@Test
	void namesAddressesTelecomAndNarrativeAreRemoved() {
		Patient p = patient("1963");
		deidentifier("k").apply(p);
		assertThat(p.hasName()).isFalse();
		assertThat(p.hasAddress()).isFalse();
		assertThat(p.hasTelecom()).isFalse();
		assertThat(p.hasText()).isFalse();
		assertThat(json(p)).doesNotContain("Doe", "Jane", "Kunming", "871", "MRN-0042");
		assertThat(p.getGender()).isEqualTo(AdministrativeGender.FEMALE);
	}

	@Test
	void identifiersAndIdsBecomeStablePseudonymsAndReferencesFollow() {
		Patient p = patient("1963");
		Observation o = observation("7", "2024-05-01");
		Deidentifier d = deidentifier("k");
		d.apply(p);
		d.apply(o);
		assertThat(p.getIdentifierFirstRep().getSystem()).isEqualTo(Deidentifier.PSEUDONYM_SYSTEM);
		assertThat(p.getIdentifierFirstRep().getValue()).isEqualTo(d.pseudonym("urn:test:mrn|MRN-0042"))
			.doesNotContain("0042");
		assertThat(o.getSubject().getReference()).isEqualTo("Patient/" + p.getIdElement().getIdPart());
		assertThat(p.getIdElement().getIdPart()).isNotEqualTo("42");
		assertThat(o.getSubject().hasDisplay()).isFalse();
		// Same key, same pseudonyms; another key, other pseudonyms.
		Observation again = observation("7", "2024-05-01");
		deidentifier("k").apply(again);
		assertThat(again.getIdElement().getIdPart()).isEqualTo(o.getIdElement().getIdPart());
		Observation otherKey = observation("7", "2024-05-01");
		deidentifier("other").apply(otherKey);
		assertThat(otherKey.getIdElement().getIdPart()).isNotEqualTo(o.getIdElement().getIdPart());
	}

	@Test
	void notesAreDroppedAndMetaKeepsOnlyProfiles() {
		Observation o = observation("7", "2024-05-01");
		deidentifier("k").apply(o);
		assertThat(o.hasNote()).isFalse();
		assertThat(o.getMeta().getProfile()).hasSize(1);
		assertThat(o.getMeta().hasVersionId()).isFalse();
		assertThat(json(o)).doesNotContain("Jane", "called");
	}

	@Test
	void anAssumedValueKeepsItsMarkerAndTagButNotItsExplanation() {
		Observation o = observation("8", "2024-05-02");
		String why = "Letter: platelets recovered by day 37; the day-32 count (2024-05-02) is assumed";
		o.getEffectiveDateTimeType().addExtension(new Extension(Deidentifier.ASSUMED, new StringType(why)));
		o.getValueQuantity().addExtension(new Extension(Deidentifier.ASSUMED, new StringType(why)));
		o.getMeta().addTag(Deidentifier.DATA_ORIGIN, "assumed", "Contains assumed values");
		o.getMeta().addTag("urn:test:site", "ward-7", null);
		deidentifier("k").apply(o);
		assertThat(o.getEffectiveDateTimeType().getExtensionByUrl(Deidentifier.ASSUMED).getValue().primitiveValue())
			.isEqualTo(Deidentifier.ASSUMED_REDACTED);
		assertThat(o.getValueQuantity().getExtensionByUrl(Deidentifier.ASSUMED).getValue().primitiveValue())
			.isEqualTo(Deidentifier.ASSUMED_REDACTED);
		assertThat(o.getMeta().getTag()).extracting(c -> c.getSystem() + "|" + c.getCode())
			.containsExactly(Deidentifier.DATA_ORIGIN + "|assumed");
		assertThat(json(o)).doesNotContain("2024-05-02", "day 37", "ward-7");
	}

	@Test
	void everyDateOfAPatientMovesByTheSameOffsetKeepingIntervalsAndPrecision() {
		Deidentifier d = deidentifier("k");
		int shift = d.shiftDays("Patient/42");
		assertThat(Math.abs(shift)).isBetween(730, 1825);

		Observation day30 = observation("30", "2024-04-30");
		Observation day31 = observation("31", "2024-05-01");
		AdverseEvent april = new AdverseEvent();
		april.setSubject(new Reference("Patient/42"));
		april.setDateElement(new DateTimeType("2024-04-11"));
		// A date inside an extension (e.g. a treatment-day anchor's date) moves too;
		// integers do not.
		april.addExtension(new Extension("urn:test:when", new DateTimeType("2024-04-01")));
		april.addExtension(new Extension("urn:test:day", new IntegerType(11)));
		d.apply(day30);
		d.apply(day31);
		d.apply(april);

		LocalDate shifted30 = LocalDate.parse(day30.getEffectiveDateTimeType().getValueAsString());
		LocalDate shifted31 = LocalDate.parse(day31.getEffectiveDateTimeType().getValueAsString());
		assertThat(ChronoUnit.DAYS.between(LocalDate.of(2024, 4, 30), shifted30)).isEqualTo(shift);
		assertThat(ChronoUnit.DAYS.between(shifted30, shifted31)).isEqualTo(1);
		assertThat(april.getDateElement().getValueAsString())
			.isEqualTo(LocalDate.of(2024, 4, 11).plusDays(shift).toString());
		assertThat(((DateTimeType) april.getExtensionByUrl("urn:test:when").getValue()).getValueAsString())
			.isEqualTo(LocalDate.of(2024, 4, 1).plusDays(shift).toString());
		assertThat(((IntegerType) april.getExtensionByUrl("urn:test:day").getValue()).getValue()).isEqualTo(11);

		// Another patient gets another offset (for these two ids and this key).
		assertThat(d.shiftDays("Patient/43")).isNotEqualTo(shift);
	}

	@Test
	void aDateKnownToTheYearKeepsItsPrecisionAndNeverKeepsItsYear() {
		Patient p = patient("1963");
		deidentifier("k").apply(p);
		assertThat(p.getBirthDateElement().getValueAsString()).hasSize(4).isNotEqualTo("1963");
	}

	@Test
	void agesOfNinetyOrMoreAreGrouped() {
		Patient old = patient("1930-05-02");
		deidentifier("k").apply(old);
		assertThat(old.hasBirthDate()).isFalse();
		assertThat(((org.hl7.fhir.r4.model.StringType) old.getExtensionByUrl(Deidentifier.AGE_GROUP).getValue())
			.getValue()).isEqualTo("90+");
		// 89 years old at export: the (shifted) birth date is kept.
		Patient young = patient("1937-01-01");
		deidentifier("k").apply(young);
		assertThat(young.hasBirthDate()).isTrue();
		assertThat(young.getExtensionByUrl(Deidentifier.AGE_GROUP)).isNull();
		// Born in 1936 (year only): possibly still 89, so not grouped; 1935 is at least
		// 90.
		assertThat(grouped("1936")).isFalse();
		assertThat(grouped("1935")).isTrue();
	}

	private static boolean grouped(String birthDate) {
		Patient p = patient(birthDate);
		deidentifier("k").apply(p);
		return !p.hasBirthDate();
	}

	@Test
	void resourcesWithoutAPatientKeepTheirDates() {
		Organization org = new Organization();
		org.setId("Organization/1");
		org.setName("Hematology");
		org.addExtension(new Extension("urn:test:founded", new DateTimeType("1950-01-01")));
		deidentifier("k").apply(org);
		assertThat(((DateTimeType) org.getExtensionByUrl("urn:test:founded").getValue()).getValueAsString())
			.isEqualTo("1950-01-01");
		assertThat(org.getIdElement().getIdPart()).isNotEqualTo("1");
	}

	@Test
	void theFlagIsReadFromTheKickOffUrl() {
		assertThat(DeidentifyingExportInterceptor
			.requested("http://h/fhir/Patient/$export?_type=Patient&_deidentify=true")).isTrue();
		assertThat(DeidentifyingExportInterceptor.requested("http://h/fhir/$export?_deidentify=true")).isTrue();
		assertThat(DeidentifyingExportInterceptor.requested("http://h/fhir/$export?_deidentify=false")).isFalse();
		assertThat(DeidentifyingExportInterceptor.requested("http://h/fhir/$export?x_deidentify=true")).isFalse();
		assertThat(DeidentifyingExportInterceptor.requested(null)).isFalse();
	}

	@Test
	void theShiftRangeMustBeSensible() {
		assertThatThrownBy(() -> new Deidentifier(R4, new byte[] { 1 }, 0, 10, TODAY))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> new Deidentifier(R4, new byte[] { 1 }, 20, 10, TODAY))
			.isInstanceOf(IllegalArgumentException.class);
	}

}
