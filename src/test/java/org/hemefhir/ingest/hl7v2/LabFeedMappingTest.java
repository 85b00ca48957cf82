package org.hemefhir.ingest.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hemefhir.ingest.hl7v2.Hl7v2Messages.sample;

import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.parser.PipeParser;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Observation.ObservationStatus;
import org.hl7.fhir.r4.model.Quantity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What real laboratory feeds send, mapped without a server: results pending, cancelled,
 * corrected and withdrawn (OBX-11), local assigning authorities in PID-3, and counts
 * bounded by a comparator (SN).
 */
class LabFeedMappingTest {

	private static final PipeParser PARSER = Hl7v2Ingestor.newParser();

	private static final String DAR = "http://terminology.hl7.org/CodeSystem/data-absent-reason";

	/**
	 * Every patient exists; the identifier systems asked for are recorded; results stored
	 * before are those in {@code stored}.
	 */
	private static final class Lab implements OruR01Mapper.Lookup {

		final List<String> asked = new ArrayList<>();

		final Map<String, Observation> stored = new HashMap<>();

		boolean noPatients;

		@Override
		public List<String> patientsWithIdentifier(String system, String value) {
			asked.add(system + "|" + value);
			return noPatients ? List.of() : List.of("Patient/1");
		}

		@Override
		public Optional<String> transplantOf(String patientReference) {
			return Optional.empty();
		}

		@Override
		public Map<String, Date> issuedOf(String system, Collection<String> values) {
			return Map.of();
		}

		@Override
		public Map<String, Observation> storedResults(String system, Collection<String> values) {
			Map<String, Observation> found = new HashMap<>(stored);
			found.keySet().retainAll(values);
			return found;
		}

	}

	private static OruR01Mapper.Mapping map(String message, Lab lab, AssigningAuthorities authorities)
			throws Exception {
		return new OruR01Mapper(lab, ZoneId.of("UTC"), authorities).map((ORU_R01) PARSER.parse(message));
	}

	private static OruR01Mapper.Mapping map(String message, Lab lab) throws Exception {
		return map(message, lab, AssigningAuthorities.NONE);
	}

	private static List<Observation> observations(OruR01Mapper.Mapping mapping) {
		return mapping.transaction()
			.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.filter(Observation.class::isInstance)
			.map(Observation.class::cast)
			.toList();
	}

	private static AssigningAuthorities authorities(Map<String, String> general,
			Map<String, Map<String, String>> byFacility) {
		Map<String, Hl7v2Properties.SendingFacility> facilities = new HashMap<>();
		byFacility.forEach((f, m) -> facilities.put(f, new Hl7v2Properties.SendingFacility(m)));
		return AssigningAuthorities.of(new Hl7v2Properties(ZoneId.of("UTC"), null, general, facilities));
	}

	@Test
	void pendingAndCancelledResultsHaveNoValueAndSayWhy() throws Exception {
		OruR01Mapper.Mapping mapping = map(sample("oru-r01-v251-pending-cancelled.hl7"), new Lab());
		assertThat(mapping.errors()).isEmpty();
		List<Observation> results = observations(mapping);
		assertThat(results).extracting(Observation::getStatus)
			.containsExactly(ObservationStatus.REGISTERED, ObservationStatus.CANCELLED, ObservationStatus.CANCELLED);
		assertThat(results).noneMatch(Observation::hasValue);
		assertThat(results).extracting(o -> o.getDataAbsentReason().getCodingFirstRep().getSystem()).containsOnly(DAR);
		assertThat(results).extracting(o -> o.getDataAbsentReason().getCodingFirstRep().getCode())
			.containsExactly("temp-unknown", "not-performed", "not-asked");
		assertThat(results.get(1).getDataAbsentReason().getText()).isEqualTo("Specimen clotted");
		assertThat(results.get(0).getMeta().getProfile().get(0).getValue()).endsWith("hemefhir-blood-count");
	}

	@ParameterizedTest(name = "OBX-11 {0} -> {1}")
	@CsvSource({ "F, final", "C, corrected", "A, amended", "P, preliminary", "R, preliminary", "S, preliminary",
			"U, final", "f, final" })
	void statusesThatCarryTheResult(String obx11, String status) throws Exception {
		String message = sample("oru-r01-v251-anc-final.hl7").replace("|LL|||F|", "|LL|||" + obx11 + "|");
		Observation result = observations(map(message, new Lab())).get(0);
		assertThat(result.getStatus().toCode()).isEqualTo(status);
		assertThat(result.getValueQuantity().getValue()).isEqualByComparingTo("0.4");
		assertThat(result.hasDataAbsentReason()).isFalse();
	}

	@ParameterizedTest(name = "OBX-11 {0} -> {1} + {2}")
	@CsvSource({ "I, registered, temp-unknown", "O, registered, temp-unknown", "X, cancelled, not-performed",
			"N, cancelled, not-asked" })
	void statusesWithoutAResult(String obx11, String status, String reason) throws Exception {
		// a value sent all the same (here "0.4") is not the result; it says why there is
		// none
		String message = sample("oru-r01-v251-anc-final.hl7").replace("|LL|||F|", "|LL|||" + obx11 + "|");
		Observation result = observations(map(message, new Lab())).get(0);
		assertThat(result.getStatus().toCode()).isEqualTo(status);
		assertThat(result.hasValue()).isFalse();
		assertThat(result.getDataAbsentReason().getCodingFirstRep().getCode()).isEqualTo(reason);
	}

	@Test
	void anUnknownStatusIsLocatedAndListsTheAcceptedOnes() throws Exception {
		String message = sample("oru-r01-v251-anc-final.hl7").replace("|LL|||F|", "|LL|||V|");
		OruR01Mapper.Mapping mapping = map(message, new Lab());
		assertThat(mapping.errors()).extracting(Hl7v2Error::location).containsExactly("OBX^1^11");
		assertThat(mapping.errors().get(0).message()).contains("'V' is not supported", "I, O, X, N, D, W");
		assertThat(mapping.transaction().getEntry()).isEmpty();
	}

	@Test
	void aResultPostedAsWrongKeepsTheStoredValueAndBecomesEnteredInError() throws Exception {
		Lab lab = new Lab();
		Observation earlier = new Observation().setStatus(ObservationStatus.CORRECTED);
		earlier.setValue(new Quantity().setValue(new BigDecimal("0.6")).setCode("10*9/L"));
		earlier.addInterpretation(new CodeableConcept().addCoding(new Coding("urn:x", "L", null)));
		lab.stored.put("DEMO-LAB/CBC-DEMO-0002/751-8", earlier);

		OruR01Mapper.Mapping mapping = map(sample("oru-r01-v251-anc-wrong-patient.hl7"), lab);
		assertThat(mapping.errors()).isEmpty();
		Observation wrong = observations(mapping).get(0);
		assertThat(wrong.getStatus()).isEqualTo(ObservationStatus.ENTEREDINERROR);
		assertThat(wrong.getValueQuantity().getValue()).isEqualByComparingTo("0.6");
		assertThat(wrong.getInterpretationFirstRep().getCodingFirstRep().getCode()).isEqualTo("L");
		assertThat(wrong.getIdentifierFirstRep().getValue()).isEqualTo("DEMO-LAB/CBC-DEMO-0002/751-8");

		// D (delete) is the same; a pending result withdrawn keeps its dataAbsentReason
		Observation pending = new Observation().setStatus(ObservationStatus.REGISTERED);
		pending.setDataAbsentReason(new CodeableConcept().addCoding(new Coding(DAR, "temp-unknown", null)));
		lab.stored.put("DEMO-LAB/CBC-DEMO-0002/751-8", pending);
		Observation deleted = observations(
				map(sample("oru-r01-v251-anc-wrong-patient.hl7").replace("||||||||W|", "||||||||D|"), lab))
			.get(0);
		assertThat(deleted.getStatus()).isEqualTo(ObservationStatus.ENTEREDINERROR);
		assertThat(deleted.hasValue()).isFalse();
		assertThat(deleted.getDataAbsentReason().getCodingFirstRep().getCode()).isEqualTo("temp-unknown");
	}

	@Test
	void withdrawingAResultNeverStoredStoresNothingAndWarns() throws Exception {
		OruR01Mapper.Mapping mapping = map(sample("oru-r01-v251-anc-wrong-patient.hl7"), new Lab());
		assertThat(mapping.errors()).isEmpty();
		assertThat(mapping.transaction().getEntry()).isEmpty();
		assertThat(mapping.sources()).isEmpty();
		assertThat(mapping.warnings()).extracting(Hl7v2Error::location).containsExactly("OBX^1");
		assertThat(mapping.warnings().get(0).message()).contains("is not stored", "entered-in-error");
	}

	@Test
	void finalWithoutRetransmissionTakesTheStoredValueOrIsAnError() throws Exception {
		String statusChange = sample("oru-r01-v251-anc-wrong-patient.hl7").replace("||||||||W|", "||||||||U|");
		OruR01Mapper.Mapping nothingStored = map(statusChange, new Lab());
		assertThat(nothingStored.errors()).extracting(Hl7v2Error::location).containsExactly("OBX^1^5");
		assertThat(nothingStored.errors().get(0).message()).contains("no result", "is stored", "OBX-11 F");
		assertThat(nothingStored.transaction().getEntry()).isEmpty();

		Lab lab = new Lab();
		Observation preliminary = new Observation().setStatus(ObservationStatus.PRELIMINARY);
		preliminary.setValue(new Quantity().setValue(new BigDecimal("0.5")));
		lab.stored.put("DEMO-LAB/CBC-DEMO-0002/751-8", preliminary);
		Observation now = observations(map(statusChange, lab)).get(0);
		assertThat(now.getStatus()).isEqualTo(ObservationStatus.FINAL);
		assertThat(now.getValueQuantity().getValue()).isEqualByComparingTo("0.5");
	}

	@Test
	void aLocalAssigningAuthorityIsMappedByConfigurationPerSendingFacility() throws Exception {
		String message = sample("oru-r01-v251-local-mrn.hl7");
		Lab general = new Lab();
		assertThat(map(message, general, authorities(Map.of("hosp", "urn:oid:2.999.7.1"), Map.of())).errors())
			.isEmpty();
		assertThat(general.asked).containsExactly("urn:oid:2.999.7.1|hl7v2-demo");

		Lab own = new Lab();
		assertThat(
				map(message, own,
						authorities(Map.of("HOSP", "urn:oid:2.999.7.1"),
								Map.of("demo-lab", Map.of("HOSP", "https://demo-lab.example/mrn"))))
					.errors())
			.isEmpty();
		assertThat(own.asked).containsExactly("https://demo-lab.example/mrn|hl7v2-demo");

		Lab other = new Lab();
		map(message, other, authorities(Map.of("HOSP", "urn:oid:2.999.7.1"),
				Map.of("OTHER-LAB", Map.of("HOSP", "https://other-lab.example/mrn"))));
		assertThat(other.asked).containsExactly("urn:oid:2.999.7.1|hl7v2-demo");
	}

	@Test
	void uriAndIsoOidAuthoritiesNeedNoConfiguration() throws Exception {
		Lab lab = new Lab();
		map(sample("oru-r01-v251-local-mrn.hl7").replace("^^^HOSP^MR", "^^^HOSP&2.999.7.9&ISO^MR"), lab);
		map(sample("oru-r01-v251-local-mrn.hl7").replace("^^^HOSP^MR", "^^^&urn:hemefhir:demo&URI^MR"), lab);
		map(sample("oru-r01-v251-local-mrn.hl7").replace("^^^HOSP^MR", "^^^urn:hemefhir:demo^MR"), lab);
		assertThat(lab.asked).containsExactly("urn:oid:2.999.7.9|hl7v2-demo", "urn:hemefhir:demo|hl7v2-demo",
				"urn:hemefhir:demo|hl7v2-demo");
	}

	@Test
	void anUnmappedAuthorityNamesTheKeyToSet() throws Exception {
		Lab lab = new Lab();
		OruR01Mapper.Mapping mapping = map(sample("broken-unmapped-authority.hl7"), lab,
				authorities(Map.of("HOSP", "urn:oid:2.999.7.1"), Map.of()));
		assertThat(mapping.errors()).extracting(Hl7v2Error::location).containsExactly("PID^1^3");
		assertThat(mapping.errors().get(0).code()).isEqualTo(Hl7v2Error.Code.TABLE_VALUE_NOT_FOUND);
		assertThat(mapping.errors().get(0).message()).contains("'CLINIC'",
				"hemefhir.hl7v2.assigning-authorities.CLINIC",
				"hemefhir.hl7v2.sending-facilities.DEMO-LAB.assigning-authorities.CLINIC");
		assertThat(mapping.transaction().getEntry()).isEmpty();
		assertThat(lab.asked).isEmpty();

		// another identifier in PID-3 that the server can read is enough
		OruR01Mapper.Mapping withUri = map(sample("broken-unmapped-authority.hl7").replace("^^^CLINIC^MR",
				"^^^CLINIC^MR~hl7v2-demo^^^&urn:hemefhir:demo&URI^MR"), lab);
		assertThat(withUri.errors()).isEmpty();
	}

	@Test
	void anUnknownPatientFoundByAnotherIdentifierAlsoNamesTheUnmappedAuthority() throws Exception {
		Lab lab = new Lab();
		lab.noPatients = true;
		OruR01Mapper.Mapping mapping = map(sample("broken-unmapped-authority.hl7").replace("^^^CLINIC^MR",
				"^^^CLINIC^MR~other-id^^^&urn:hemefhir:demo&URI^MR"), lab);
		assertThat(mapping.errors()).extracting(Hl7v2Error::location).containsExactly("PID^1^3");
		assertThat(mapping.errors().get(0).message()).contains("No patient with identifier urn:hemefhir:demo|other-id",
				"'CLINIC', which is not mapped", "hemefhir.hl7v2.assigning-authorities.CLINIC");
	}

	@Test
	void aConfiguredSystemThatIsNoUriStopsTheStart() {
		assertThatThrownBy(() -> authorities(Map.of("HOSP", "HOSPITAL-MRN"), Map.of()))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("hemefhir.hl7v2.assigning-authorities.HOSP", "absolute URI");
		assertThatThrownBy(() -> authorities(Map.of(), Map.of("LAB", Map.of("HOSP", "urn:oid:1.02.x"))))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("hemefhir.hl7v2.sending-facilities.LAB.assigning-authorities.HOSP");
	}

	@Test
	void countsBoundedByAComparatorAreQuantitiesWithComparator() throws Exception {
		OruR01Mapper.Mapping mapping = map(sample("oru-r01-v251-sn-comparators.hl7"), new Lab());
		assertThat(mapping.errors()).isEmpty();
		Quantity anc = observations(mapping).get(0).getValueQuantity();
		assertThat(anc.getComparator()).isEqualTo(Quantity.QuantityComparator.LESS_THAN);
		assertThat(anc.getValue()).isEqualByComparingTo("0.1");
		assertThat(anc.getCode()).isEqualTo("10*9/L");
		Quantity platelets = observations(mapping).get(1).getValueQuantity();
		assertThat(platelets.getComparator()).isEqualTo(Quantity.QuantityComparator.GREATER_OR_EQUAL);
		assertThat(platelets.getValue()).isEqualByComparingTo("1000");
		assertThat(platelets.getCode()).isEqualTo("10*9/L");
	}

	@Test
	void aRangeOrARatioIsNoCount() throws Exception {
		OruR01Mapper.Mapping mapping = map(sample("broken-sn-range-count.hl7"), new Lab());
		assertThat(mapping.errors()).extracting(Hl7v2Error::location).containsExactly("OBX^1^5");
		assertThat(mapping.errors().get(0).message()).contains("'^1^-^5' is a range or ratio", "<^0.1");
		assertThat(mapping.transaction().getEntry()).isEmpty();

		String ratio = sample("broken-sn-range-count.hl7").replace("^1^-^5", "^1^:^2");
		assertThat(map(ratio, new Lab()).errors()).extracting(Hl7v2Error::location).containsExactly("OBX^1^5");

		String comparatorInNm = sample("oru-r01-v251-anc-final.hl7").replace("||0.4|", "||<0.1|");
		OruR01Mapper.Mapping nm = map(comparatorInNm, new Lab());
		assertThat(nm.errors()).extracting(Hl7v2Error::location).containsExactly("OBX^1^5");
		assertThat(nm.errors().get(0).message()).contains("'<0.1' is not a number", "sent as SN");
	}

}
