package org.hemefhir.ingest.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An HL7 v2 message read and mapped as the server does before storing it
 * ({@link Hl7v2Reader}), with every patient known. A finding is any exception (the reader
 * must answer every input with a mapping or an AR), an internal-error AR, an ACK that
 * cannot be built, or an input over the per-input timeout. Seeds: the messages of
 * {@code sample-bundles/hl7v2/}.
 */
class Hl7v2FuzzTest {

	private static final Hl7v2Reader READER = new Hl7v2Reader(Hl7v2Ingestor.newParser(), ZoneId.of("UTC"));

	private static final Hl7v2Ack ACKS = new Hl7v2Ack(Hl7v2Ingestor.newParser());

	/**
	 * Every patient exists, every patient has a transplant, nothing was stored before.
	 */
	private static final OruR01Mapper.Lookup EVERYONE = new OruR01Mapper.Lookup() {
		@Override
		public List<String> patientsWithIdentifier(String system, String value) {
			return List.of("Patient/1");
		}

		@Override
		public Optional<String> transplantOf(String patientReference) {
			return Optional.of("Procedure/2");
		}

		@Override
		public Map<String, Date> issuedOf(String system, Collection<String> values) {
			return Map.of();
		}

		@Override
		public Map<String, org.hl7.fhir.r4.model.Observation> storedResults(String system, Collection<String> values) {
			return Map.of();
		}
	};

	@FuzzTest
	void readAndMap(byte[] input) {
		Hl7v2Reader.Read read = READER.read(new String(input, StandardCharsets.UTF_8), EVERYONE);
		if (read instanceof Hl7v2Reader.Refused refused) {
			assertThat(refused.error().code()).as(refused.error().message())
				.isNotEqualTo(Hl7v2Error.Code.APPLICATION_INTERNAL_ERROR);
			assertThat(ACKS.build(refused.header(), ca.uhn.hl7v2.AcknowledgmentCode.AR, List.of(refused.error())))
				.startsWith("MSH");
		}
		else {
			Hl7v2Reader.Mapped mapped = (Hl7v2Reader.Mapped) read;
			List<Hl7v2Error> errors = mapped.mapping().errors();
			assertThat(ACKS.build(mapped.header(),
					errors.isEmpty() ? ca.uhn.hl7v2.AcknowledgmentCode.AA : ca.uhn.hl7v2.AcknowledgmentCode.AE,
					errors.isEmpty() ? mapped.mapping().warnings() : errors))
				.startsWith("MSH");
		}
	}

}
