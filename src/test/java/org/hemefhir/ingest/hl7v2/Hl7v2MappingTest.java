package org.hemefhir.ingest.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.parser.PipeParser;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Specimen;
import org.junit.jupiter.api.Test;

/** The ORU^R01 mapping and the ACK on the sample messages, without a server. */
class Hl7v2MappingTest {

	private static final PipeParser PARSER = Hl7v2Ingestor.newParser();

	/**
	 * Stored data as the mapper sees it: every patient exists as Patient/1 (except
	 * "no-such..."), the case's transplant is Procedure/9, and every stored result was
	 * issued at {@code storedIssued} (null: none stored).
	 */
	private record StoredData(Date storedIssued) implements OruR01Mapper.Lookup {
		@Override
		public List<String> patientsWithIdentifier(String system, String value) {
			return value.startsWith("no-such") ? List.of() : List.of("Patient/1");
		}

		@Override
		public Optional<String> transplantOf(String patient) {
			return Optional.of("Procedure/9");
		}

		@Override
		public Map<String, Date> issuedOf(String system, Collection<String> values) {
			return storedIssued == null ? Map.of()
					: values.stream().collect(Collectors.toMap(v -> v, v -> storedIssued));
		}

		@Override
		public Map<String, Observation> storedResults(String system, Collection<String> values) {
			return Map.of();
		}
	}

	private static final OruR01Mapper.Lookup KNOWN = new StoredData(null);

	static String sample(String name) throws IOException {
		return Hl7v2Ingestor.normalise(Files.readString(Path.of("sample-bundles", "hl7v2", name)));
	}

	static OruR01Mapper.Mapping map(String name) throws Exception {
		ORU_R01 oru = (ORU_R01) PARSER.parse(sample(name));
		return new OruR01Mapper(KNOWN, ZoneId.of("UTC")).map(oru);
	}

	static List<Observation> observations(OruR01Mapper.Mapping mapping) {
		return mapping.transaction()
			.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.filter(Observation.class::isInstance)
			.map(Observation.class::cast)
			.toList();
	}

	@Test
	void v251CountsWithEscapedCaretUnit() throws Exception {
		OruR01Mapper.Mapping mapping = map("oru-r01-v251-anc-days-30-33.hl7");
		assertThat(mapping.errors()).isEmpty();
		List<Observation> anc = observations(mapping);
		assertThat(anc).hasSize(4);
		Observation day30 = anc.get(0);
		assertThat(day30.getCode().getCodingFirstRep().getCode()).isEqualTo("751-8");
		assertThat(day30.getValueQuantity().getValue()).isEqualByComparingTo("0.8");
		assertThat(day30.getValueQuantity().getCode()).isEqualTo("10*9/L");
		assertThat(day30.getValueQuantity().getUnit()).isEqualTo("10^9/L");
		assertThat(day30.getEffectiveDateTimeType().getValueAsString()).isEqualTo("2024-04-30");
		assertThat(day30.getStatus()).isEqualTo(Observation.ObservationStatus.FINAL);
		assertThat(day30.getSubject().getReference()).isEqualTo("Patient/1");
		assertThat(day30.getIdentifierFirstRep().getValue()).isEqualTo("TJH-LAB/CBC-20240430/751-8");
		assertThat(mapping.transaction().getEntry().get(0).getRequest().getUrl()).isEqualTo(
				"Observation?identifier=http%3A%2F%2Fhemefhir.org%2Ffhir%2Fsid%2Fhl7v2-result%7CTJH-LAB%2FCBC-20240430%2F751-8");
		assertThat(mapping.sources()).extracting(OruR01Mapper.Source::sequence).containsExactly(1, 2, 3, 4);
	}

	@Test
	void v23ParsesIntoTheSameStructures() throws Exception {
		OruR01Mapper.Mapping mapping = map("oru-r01-v23-platelets-days-36-37.hl7");
		assertThat(mapping.errors()).isEmpty();
		List<Observation> platelets = observations(mapping);
		assertThat(platelets).extracting(o -> o.getValueQuantity().getValue().toPlainString())
			.containsExactly("85", "110");
		assertThat(platelets).extracting(o -> o.getValueQuantity().getCode()).containsOnly("10*9/L");
		// v2.3 PID-3 names the system in CX-4 namespace:
		// 'tjh-2025-0019^^^urn:hemefhir:case'
		assertThat(platelets.get(1).getIdentifierFirstRep().getValue()).isEqualTo("TJH-LAB/PLT-20240507/777-3");
	}

	@Test
	void hemoglobinInGramsPerDecilitreIsConverted() throws Exception {
		List<Observation> results = observations(map("oru-r01-v24-hemoglobin-wbc.hl7"));
		Quantity hb = results.get(0).getValueQuantity();
		assertThat(hb.getValue()).isEqualByComparingTo("84");
		assertThat(hb.getCode()).isEqualTo("g/L");
		assertThat(results.get(1).getValueQuantity().getCode()).isEqualTo("10*9/L");
		assertThat(results.get(0).getEffectiveDateTimeType().getValueAsString()).isEqualTo("2025-01-10T07:15:00Z");
	}

	@Test
	void mrdAndCd38GetTheSpecimenFromSpm() throws Exception {
		OruR01Mapper.Mapping mapping = map("oru-r01-v251-mrd-cd38-day-32.hl7");
		assertThat(mapping.errors()).isEmpty();
		Bundle bundle = mapping.transaction();
		Specimen specimen = (Specimen) bundle.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.filter(Specimen.class::isInstance)
			.findFirst()
			.orElseThrow();
		assertThat(specimen.getType().getCodingFirstRep().getCode()).isEqualTo("MAR");
		assertThat(specimen.getCollection().getCollectedDateTimeType().getValueAsString()).isEqualTo("2024-05-02");
		List<Observation> results = observations(mapping);
		Observation mrd = results.get(0);
		assertThat(((CodeableConcept) mrd.getValue()).getCodingFirstRep().getCode()).isEqualTo("NEG");
		assertThat(mrd.getMethod().getCodingFirstRep().getCode()).isEqualTo("flow-cytometry");
		assertThat(mrd.getSpecimen().getReference()).startsWith("urn:uuid:");
		assertThat(results.get(1).getSpecimen().getReference()).isEqualTo(mrd.getSpecimen().getReference());
		assertThat(results.get(1).getValueQuantity().getValue()).isEqualByComparingTo(BigDecimal.ZERO);
	}

	@Test
	void chimerismFocusesOnTheTransplant() throws Exception {
		Observation chimerism = observations(map("oru-r01-v251-chimerism.hl7")).get(0);
		assertThat(chimerism.getFocusFirstRep().getReference()).isEqualTo("Procedure/9");
		assertThat(chimerism.getMeta().getProfile().get(0).getValue()).endsWith("hemefhir-chimerism");
	}

	@Test
	void correctionMapsToStatusCorrected() throws Exception {
		Observation corrected = observations(map("oru-r01-v251-anc-corrected.hl7")).get(0);
		assertThat(corrected.getStatus()).isEqualTo(Observation.ObservationStatus.CORRECTED);
		Observation original = observations(map("oru-r01-v251-anc-final.hl7")).get(0);
		assertThat(corrected.getIdentifierFirstRep().getValue()).isEqualTo(original.getIdentifierFirstRep().getValue());
	}

	@Test
	void resultsHemeFhirDoesNotModelAreKeptAsSent() throws Exception {
		OruR01Mapper.Mapping mapping = map("oru-r01-v251-cbc-panel.hl7");
		assertThat(mapping.errors()).isEmpty();
		List<Observation> results = observations(mapping);
		assertThat(results).hasSize(9);
		assertThat(results).filteredOn(o -> o.getMeta().hasProfile())
			.extracting(o -> o.getCode().getCodingFirstRep().getCode())
			.containsExactly("6690-2", "718-7", "777-3", "751-8");

		Observation rbc = results.get(1);
		assertThat(rbc.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://loinc.org");
		assertThat(rbc.getValueQuantity().getValue()).isEqualByComparingTo("2.91"); // never
																					// converted
		assertThat(rbc.getValueQuantity().getCode()).isEqualTo("10*6/uL"); // OBX-6.3 says
																			// UCUM
		assertThat(rbc.getReferenceRangeFirstRep().getText()).isEqualTo("3.80-5.20");
		assertThat(rbc.getInterpretationFirstRep().getCodingFirstRep().getCode()).isEqualTo("L");
		assertThat(rbc.getCategoryFirstRep().getCodingFirstRep().getCode()).isEqualTo("laboratory");
		assertThat(rbc.getIdentifierFirstRep().getValue()).isEqualTo("DEMO-LAB/CBC-DEMO-0014/789-8");

		Quantity hematocrit = results.get(3).getValueQuantity();
		assertThat(hematocrit.getCode()).isEqualTo("%"); // recognised spelling
		assertThat(hematocrit.getSystem()).isEqualTo("http://unitsofmeasure.org");

		Observation blasts = results.get(7);
		assertThat(blasts.getCode().getCodingFirstRep().getSystem()).isEqualTo("urn:hemefhir:hl7v2:DEMO-LAB:L");
		assertThat(blasts.getCode().getText()).isEqualTo("Blasts/100 leukocytes, manual");
		assertThat(results.get(8).getValueStringType().getValue()).isEqualTo("No circulating blasts seen");
	}

	@Test
	void aUnitNobodyKnowsIsKeptAsTextWithoutUcumCode() throws Exception {
		String message = sample("oru-r01-v251-cbc-panel.hl7").replace("94.2|fL|", "94.2|cubic microns|");
		Observation mcv = observations(new OruR01Mapper(KNOWN, ZoneId.of("UTC")).map((ORU_R01) PARSER.parse(message)))
			.get(4);
		assertThat(mcv.getValueQuantity().getUnit()).isEqualTo("cubic microns");
		assertThat(mcv.getValueQuantity().hasSystem()).isFalse();
		assertThat(mcv.getValueQuantity().hasCode()).isFalse();
	}

	@Test
	void rangesAndRatiosOfOtherResultsAreKept() throws Exception {
		String message = sample("oru-r01-v251-cbc-panel.hl7")
			.replace("OBX|8|NM|BLAST%^Blasts/100 leukocytes, manual^L||0|%|",
					"OBX|8|SN|BLAST%^Blasts/100 leukocytes, manual^L||^1^-^3|%|")
			.replace("OBX|9|ST|SMEAR^Blood smear review^L||No circulating blasts seen|",
					"OBX|9|SN|ANA^ANA titer^L||^1^:^160|");
		OruR01Mapper.Mapping mapping = new OruR01Mapper(KNOWN, ZoneId.of("UTC")).map((ORU_R01) PARSER.parse(message));
		assertThat(mapping.errors()).isEmpty();
		List<Observation> results = observations(mapping);
		org.hl7.fhir.r4.model.Range blasts = results.get(7).getValueRange();
		assertThat(blasts.getLow().getValue()).isEqualByComparingTo("1");
		assertThat(blasts.getHigh().getValue()).isEqualByComparingTo("3");
		assertThat(blasts.getHigh().getCode()).isEqualTo("%");
		org.hl7.fhir.r4.model.Ratio titer = results.get(8).getValueRatio();
		assertThat(titer.getNumerator().getValue()).isEqualByComparingTo("1");
		assertThat(titer.getDenominator().getValue()).isEqualByComparingTo("160");

		String unreadable = message.replace("^1^:^160|", "^1^+^x|");
		OruR01Mapper.Mapping refused = new OruR01Mapper(KNOWN, ZoneId.of("UTC"))
			.map((ORU_R01) PARSER.parse(unreadable));
		assertThat(refused.errors()).extracting(Hl7v2Error::location).containsExactly("OBX^9^5");
	}

	@Test
	void aNumberBeyondWhatCanBeStoredIsADataTypeError() throws Exception {
		String message = sample("oru-r01-v251-cbc-panel.hl7").replace("94.2|fL|", "1e400|fL|");
		OruR01Mapper.Mapping mapping = new OruR01Mapper(KNOWN, ZoneId.of("UTC")).map((ORU_R01) PARSER.parse(message));
		assertThat(mapping.errors()).extracting(Hl7v2Error::location).containsExactly("OBX^5^5");
		assertThat(mapping.errors().get(0).message()).contains("out of the range");
	}

	@Test
	void anUnsupportedValueTypeOfAnOtherResultIsLocated() throws Exception {
		String message = sample("oru-r01-v251-cbc-panel.hl7").replace("OBX|9|ST|", "OBX|9|ED|");
		OruR01Mapper.Mapping mapping = new OruR01Mapper(KNOWN, ZoneId.of("UTC")).map((ORU_R01) PARSER.parse(message));
		assertThat(mapping.errors()).extracting(Hl7v2Error::location).containsExactly("OBX^9^2");
		assertThat(mapping.transaction().getEntry()).isEmpty();
	}

	@Test
	void issuedComesFromObr22ElseMsh7AndAnOlderResultIsLeftOut() throws Exception {
		Observation fromMsh = observations(map("oru-r01-v251-anc-final.hl7")).get(0);
		assertThat(fromMsh.getIssuedElement().getValueAsString()).isEqualTo("2025-01-11T08:30:00+00:00");
		String withObr22 = sample("oru-r01-v251-anc-final.hl7").replace("CBC panel^LN|||20250111071500",
				"CBC panel^LN|||20250111071500|||||||||||||||20250111090000");
		OruR01Mapper.Lookup newerStored = new StoredData(new InstantType("2025-01-11T09:30:00Z").getValue());
		OruR01Mapper.Mapping mapping = new OruR01Mapper(newerStored, ZoneId.of("UTC"))
			.map((ORU_R01) PARSER.parse(withObr22));
		assertThat(mapping.errors()).isEmpty();
		assertThat(mapping.transaction().getEntry()).isEmpty();
		assertThat(mapping.warnings()).extracting(Hl7v2Error::location).containsExactly("OBX^1");
		assertThat(mapping.warnings().get(0).message()).contains("2025-01-11T09:30:00", "2025-01-11T09:00:00");
	}

	@Test
	void contentErrorsAreLocated() throws Exception {
		assertThat(map("broken-result-without-code.hl7").errors()).extracting(Hl7v2Error::location)
			.containsExactly("OBX^1^3");
		assertThat(map("broken-non-numeric-value.hl7").errors()).extracting(Hl7v2Error::location)
			.containsExactly("OBX^2^5");
		assertThat(map("broken-wrong-unit.hl7").errors()).extracting(Hl7v2Error::location).containsExactly("OBX^1^6");
		assertThat(map("broken-missing-pid.hl7").errors()).extracting(Hl7v2Error::location).containsExactly("PID^1");
		assertThat(map("broken-unknown-patient.hl7").errors()).extracting(Hl7v2Error::location)
			.containsExactly("PID^1^3");
		assertThat(map("broken-non-numeric-value.hl7").transaction().getEntry()).isEmpty();
	}

	@Test
	void ackKeepsTheMessageVersionAndControlId() throws Exception {
		Hl7v2Ack acks = new Hl7v2Ack(PARSER);
		String message = sample("oru-r01-v23-platelets-days-36-37.hl7");
		String ack = acks.build(Hl7v2Ingestor.header(message), AcknowledgmentCode.AE,
				List.of(Hl7v2Error.at("OBX", 2, 5, Hl7v2Error.Code.DATA_TYPE_ERROR, "OBX-5 'x|y' is not a number")));
		String[] segments = ack.split("\r");
		assertThat(segments[0]).startsWith("MSH|^~\\&|HEMEFHIR|TJH|LIS|TJH-LAB|")
			.contains("|ACK^R01|")
			.endsWith("|P|2.3");
		assertThat(segments[1]).startsWith("MSA|AE|TJH-20240507-0001|");
		assertThat(segments[2]).startsWith("ERR|OBX^2^5^102&")
			.contains("|OBX^2^5|102^Data type error^HL70357|E|")
			.contains("'x\\F\\y'");
	}

	@Test
	void unitSpellings() {
		assertThat(UcumUnits.toTarget("10*9/L", "x10E9/L")).isPresent();
		assertThat(UcumUnits.toTarget("10*9/L", "10*9/l")).isPresent();
		assertThat(UcumUnits.toTarget("10*9/L", "G/L")).isPresent();
		assertThat(UcumUnits.toTarget("10*9/L", "g/L")).isEmpty();
		assertThat(UcumUnits.toTarget("10*9/L", "mg/dL")).isEmpty();
		assertThat(UcumUnits.toTarget("g/L", "g/dl").orElseThrow().apply(new BigDecimal("12.3")))
			.isEqualByComparingTo("123");
		assertThat(UcumUnits.toTarget("%", "%")).isPresent();
	}

	@Test
	void v2Times() {
		ZoneId shanghai = ZoneId.of("Asia/Shanghai");
		assertThat(V2Time.toFhir("20240430", shanghai).getValueAsString()).isEqualTo("2024-04-30");
		assertThat(V2Time.toFhir("202404300815", shanghai).getValueAsString()).isEqualTo("2024-04-30T08:15:00+08:00");
		assertThat(V2Time.toFhir("20240430081530-0500", shanghai).getValueAsString())
			.isEqualTo("2024-04-30T08:15:30-05:00");
		org.assertj.core.api.Assertions.assertThatThrownBy(() -> V2Time.toFhir("20240231", shanghai))
			.isInstanceOf(IllegalArgumentException.class);
	}

}
