package org.hemefhir.ingest.hl7v2;

import static org.hemefhir.ingest.hl7v2.V2Fields.get;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import ca.uhn.fhir.util.UrlUtil;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_OBSERVATION;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_ORDER_OBSERVATION;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_PATIENT_RESULT;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_SPECIMEN;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.model.v251.segment.OBR;
import ca.uhn.hl7v2.model.v251.segment.OBX;
import ca.uhn.hl7v2.model.v251.segment.PID;
import ca.uhn.hl7v2.model.v251.segment.SPM;
import ca.uhn.hl7v2.util.Terser;
import java.time.ZoneId;
import java.util.Date;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.hemefhir.ingest.hl7v2.Hl7v2Error.Code;
import org.hemefhir.ingest.hl7v2.ResultCodes.Kind;
import org.hemefhir.ingest.hl7v2.ResultCodes.ResultCode;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Specimen;

/**
 * Turns one ORU^R01 (read into the v2.5.1 structures) into a FHIR transaction: one
 * conditional update per OBX keyed on its business identifier, plus the Specimen an MRD
 * or CD38 result needs. Everything wrong with the message is collected, each error at its
 * segment and field, so the sender learns all of it from one ACK.
 */
final class OruR01Mapper {

	static final String RESULT_ID_SYSTEM = "http://hemefhir.org/fhir/sid/hl7v2-result";

	private static final String CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category";

	/** What the mapper needs to know about stored data. */
	interface Lookup {

		/**
		 * Ids ({@code Patient/123}) of the patients that carry identifier
		 * {@code system|value}.
		 */
		List<String> patientsWithIdentifier(String system, String value);

		/**
		 * The id of the patient's allogeneic HSCT Procedure, the focus of a chimerism
		 * result.
		 */
		Optional<String> transplantOf(String patientReference);

		/**
		 * When the stored results with identifiers {@code system|value} were issued, by
		 * value (those stored and saying so).
		 */
		Map<String, Date> issuedOf(String system, Collection<String> values);

		/**
		 * The stored results with identifiers {@code system|value}, by value (for a
		 * status change that does not repeat the value).
		 */
		Map<String, Observation> storedResults(String system, Collection<String> values);

	}

	/** A result that changes the status of the stored one without its value. */
	private record StatusChange(Observation result, int sequence) {
	}

	/**
	 * The segment a bundle entry was made from, to locate validation errors reported per
	 * entry.
	 */
	record Source(String segment, int sequence) {
	}

	/**
	 * The transaction to store, or the errors; warnings name results left out of an
	 * accepted message.
	 */
	record Mapping(Bundle transaction, List<Source> sources, List<Hl7v2Error> errors, List<Hl7v2Error> warnings) {
	}

	/**
	 * Takes the result at an entry out of the transaction; the warning that says so.
	 */
	static Hl7v2Error leaveOut(Bundle transaction, List<Source> sources, int entry, Date storedIssued) {
		Observation result = (Observation) transaction.getEntry().get(entry).getResource();
		Source source = sources.get(entry);
		transaction.getEntry().remove(entry);
		sources.remove(entry);
		return Hl7v2Error.warning(source.segment(), source.sequence(),
				"Result " + result.getIdentifierFirstRep().getValue()
						+ " was not applied: the stored one was issued later ("
						+ new InstantType(storedIssued).asStringValue() + ") than this message's ("
						+ result.getIssuedElement().asStringValue() + ")");
	}

	private final Lookup lookup;

	private final ZoneId zone;

	private final AssigningAuthorities authorities;

	OruR01Mapper(Lookup lookup, ZoneId zone) {
		this(lookup, zone, AssigningAuthorities.NONE);
	}

	OruR01Mapper(Lookup lookup, ZoneId zone, AssigningAuthorities authorities) {
		this.lookup = lookup;
		this.zone = zone;
		this.authorities = authorities;
	}

	Mapping map(ORU_R01 message) throws HL7Exception {
		Run run = new Run(message);
		run.mapMessage();
		if (!run.errors.isEmpty()) {
			// Nothing of a message with errors is stored.
			return new Mapping(new Bundle().setType(Bundle.BundleType.TRANSACTION), List.of(), run.errors, List.of());
		}
		run.completeFromStored();
		if (!run.errors.isEmpty()) {
			return new Mapping(new Bundle().setType(Bundle.BundleType.TRANSACTION), List.of(), run.errors, List.of());
		}
		run.leaveOutOlderThanStored();
		return new Mapping(run.bundle, run.sources, run.errors, run.warnings);
	}

	/** State of one message's mapping. */
	private final class Run {

		final ORU_R01 message;

		final Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);

		final List<Source> sources = new ArrayList<>();

		final List<Hl7v2Error> errors = new ArrayList<>();

		final List<Hl7v2Error> warnings = new ArrayList<>();

		final Set<String> identifiers = new HashSet<>();

		/**
		 * Results whose OBX-11 changes the status of a stored result without repeating
		 * its value (D, W, U).
		 */
		final List<StatusChange> fromStored = new ArrayList<>();

		final String namespace;

		/** MSH-4, the key of per-facility settings; null when empty. */
		final String facility;

		final ObxValues values;

		/**
		 * When the laboratory released these results: OBR-22 of each order, else MSH-7.
		 */
		final String messageTime;

		int pidSeq;

		int obrSeq;

		int obxSeq;

		int spmSeq;

		Run(ORU_R01 message) throws HL7Exception {
			this.message = message;
			String facility = get(message.getMSH(), 4, 1);
			this.facility = facility == null ? null : facility.trim();
			this.namespace = facility != null ? facility
					: Optional.ofNullable(get(message.getMSH(), 3, 1)).orElse("unknown");
			this.messageTime = get(message.getMSH(), 7, 1);
			this.values = new ObxValues(errors, namespace);
		}

		void mapMessage() throws HL7Exception {
			List<ORU_R01_PATIENT_RESULT> results = message.getPATIENT_RESULTAll();
			if (results.isEmpty()) {
				error("PID", 1, null, Code.SEGMENT_SEQUENCE_ERROR,
						"The message has no PID segment: results are stored only for an identified patient");
				return;
			}
			int orders = 0;
			for (ORU_R01_PATIENT_RESULT result : results) {
				PID pid = result.getPATIENT().getPID();
				pidSeq++;
				String patient = null;
				if (pid.isEmpty()) {
					error("PID", pidSeq, null, Code.SEGMENT_SEQUENCE_ERROR,
							"The message has no PID segment before its OBR: results are stored only for an identified patient");
				}
				else {
					patient = patient(pid);
				}
				for (ORU_R01_ORDER_OBSERVATION order : result.getORDER_OBSERVATIONAll()) {
					orders++;
					mapOrder(order, patient);
				}
			}
			if (orders == 0) {
				error("OBR", 1, null, Code.SEGMENT_SEQUENCE_ERROR, "The message has no OBR segment, so no results");
			}
		}

		/**
		 * The patient named by PID-3, or null (with an error) when there is not exactly
		 * one.
		 */
		String patient(PID pid) throws HL7Exception {
			Set<String> found = new LinkedHashSet<>();
			List<String> tried = new ArrayList<>();
			Set<String> unmapped = new LinkedHashSet<>();
			for (int rep = 0; rep < pid.getPatientIdentifierListReps(); rep++) {
				String value = Terser.get(pid, 3, rep, 1, 1);
				String system = identifierSystem(pid, rep, unmapped);
				if (value == null || system == null) {
					continue;
				}
				tried.add(system + "|" + value);
				found.addAll(lookup.patientsWithIdentifier(system, value));
			}
			if (tried.isEmpty() && !unmapped.isEmpty()) {
				String namespace = unmapped.iterator().next();
				error("PID", pidSeq, 3, Code.TABLE_VALUE_NOT_FOUND,
						"PID-3 assigning authority '" + namespace
								+ "' (CX-4) names no identifier system this server knows: "
								+ AssigningAuthorities.howToMap(facility, namespace)
								+ " to its system URI, e.g. urn:oid:1.2.3.4");
				return null;
			}
			if (tried.isEmpty()) {
				error("PID", pidSeq, 3, Code.REQUIRED_FIELD_MISSING,
						"PID-3 has no identifier whose assigning authority (CX-4) names the identifier system, "
								+ "e.g. 12345^^^&urn:example:mrn&URI or 12345^^^urn:example:mrn");
				return null;
			}
			if (found.isEmpty()) {
				String unread = unmapped.isEmpty() ? ""
						: "; PID-3 also names assigning authority '" + unmapped.iterator().next()
								+ "', which is not mapped: "
								+ AssigningAuthorities.howToMap(facility, unmapped.iterator().next());
				error("PID", pidSeq, 3, Code.UNKNOWN_KEY_IDENTIFIER,
						"No patient with identifier " + String.join(" or ", tried)
								+ "; results are not stored for unknown patients (create the Patient first)" + unread);
				return null;
			}
			if (found.size() > 1) {
				error("PID", pidSeq, 3, Code.DUPLICATE_KEY_IDENTIFIER,
						"The identifiers in PID-3 belong to different patients: " + String.join(", ", found));
				return null;
			}
			return found.iterator().next();
		}

		/**
		 * CX-4 as a FHIR identifier system: universal id (URI, or ISO OID), a namespace
		 * that is a URI, or a local namespace mapped in configuration (else it is added
		 * to {@code unmapped}).
		 */
		String identifierSystem(PID pid, int rep, Set<String> unmapped) throws HL7Exception {
			String namespace = Terser.get(pid, 3, rep, 4, 1);
			String universal = Terser.get(pid, 3, rep, 4, 2);
			String type = Terser.get(pid, 3, rep, 4, 3);
			if (universal != null && !universal.isBlank()) {
				return "ISO".equalsIgnoreCase(type) && !universal.startsWith("urn:") ? "urn:oid:" + universal
						: universal.trim();
			}
			if (namespace != null && namespace.contains(":")) {
				return namespace.trim();
			}
			if (namespace != null && !namespace.isBlank()) {
				// a local name such as HOSP: its system comes from configuration
				Optional<String> configured = authorities.system(facility, namespace);
				if (configured.isEmpty()) {
					unmapped.add(namespace.trim());
				}
				return configured.orElse(null);
			}
			return null;
		}

		void mapOrder(ORU_R01_ORDER_OBSERVATION order, String patient) throws HL7Exception {
			OBR obr = order.getOBR();
			obrSeq++;
			int obr0 = obrSeq;
			String filler = get(obr, 3, 1);
			String fillerNamespace = Optional.ofNullable(get(obr, 3, 2)).orElse(namespace);
			if (filler == null) {
				error("OBR", obr0, 3, Code.REQUIRED_FIELD_MISSING,
						"OBR-3 (filler order number) is empty: it identifies the results, so that a resend is recognised");
			}
			String observedAt = get(obr, 7, 1);
			InstantType issued = issued(Optional.ofNullable(get(obr, 22, 1)).orElse(messageTime));

			List<OBX> observations = new ArrayList<>();
			for (ORU_R01_OBSERVATION observation : order.getOBSERVATIONAll()) {
				observations.add(observation.getOBX());
			}
			SPM spm = null;
			int spmAt = 0;
			List<Integer> obxNumbers = new ArrayList<>();
			for (int i = 0; i < observations.size(); i++) {
				obxNumbers.add(++obxSeq);
			}
			// OBX after an SPM belong to its SPECIMEN group in 2.5.1; they are results
			// all the same.
			for (ORU_R01_SPECIMEN specimen : order.getSPECIMENAll()) {
				spmSeq++;
				if (spm == null) {
					spm = specimen.getSPM();
					spmAt = spmSeq;
				}
				for (OBX obx : specimen.getOBXAll()) {
					observations.add(obx);
					obxNumbers.add(++obxSeq);
				}
			}
			if (observations.isEmpty()) {
				error("OBR", obr0, null, Code.SEGMENT_SEQUENCE_ERROR, "OBR " + obr0 + " has no OBX result");
				return;
			}

			String specimenUrl = null;
			for (int i = 0; i < observations.size(); i++) {
				OBX obx = observations.get(i);
				int seq = obxNumbers.get(i);
				Optional<ResultCode> known = known(obx);
				Observation mapped = observation(obx, seq, known.orElse(null), patient, filler, fillerNamespace,
						observedAt);
				if (mapped == null) {
					continue;
				}
				if (issued != null) {
					mapped.setIssuedElement(issued.copy());
				}
				if (known.filter(ResultCode::needsSpecimen).isPresent()) {
					if (specimenUrl == null) {
						SpecimenMapping.Mapped specimen = new SpecimenMapping(errors, zone).map(obr, obr0, spm, spmAt,
								patient, filler, fillerNamespace, observedAt);
						specimenUrl = specimen == null ? null : add(specimen.specimen(),
								SpecimenMapping.SPECIMEN_ID_SYSTEM, specimen.segment(), specimen.sequence());
					}
					if (specimenUrl != null) {
						mapped.setSpecimen(new Reference(specimenUrl));
					}
				}
				if (errors.isEmpty()) {
					add(mapped, RESULT_ID_SYSTEM, "OBX", seq);
				}
			}
		}

		/**
		 * A queue that resends out of order must not put an older result over a newer
		 * one: results whose stored copy was issued later are taken out of the
		 * transaction, each with a warning.
		 */
		void leaveOutOlderThanStored() {
			Map<String, Date> stored = lookup.issuedOf(RESULT_ID_SYSTEM,
					bundle.getEntry()
						.stream()
						.filter(e -> e.getResource() instanceof Observation o && o.hasIssued())
						.map(e -> ((Observation) e.getResource()).getIdentifierFirstRep().getValue())
						.toList());
			for (int i = bundle.getEntry().size() - 1; i >= 0; i--) {
				if (!(bundle.getEntry().get(i).getResource() instanceof Observation o) || !o.hasIssued()) {
					continue;
				}
				String value = o.getIdentifierFirstRep().getValue();
				Date storedIssued = stored.get(value);
				if (storedIssued != null && storedIssued.after(o.getIssued())) {
					warnings.add(0, leaveOut(bundle, sources, i, storedIssued));
				}
			}
		}

		/**
		 * A v2 time precise to the minute at least as an instant, else null (a date
		 * cannot order two messages).
		 */
		InstantType issued(String v2Time) {
			if (v2Time == null) {
				return null;
			}
			try {
				DateTimeType time = V2Time.toFhir(v2Time, zone);
				return time.getPrecision().ordinal() >= TemporalPrecisionEnum.MINUTE.ordinal()
						? new InstantType(time.getValue(), TemporalPrecisionEnum.SECOND, time.getTimeZone()) : null;
			}
			catch (IllegalArgumentException e) {
				return null;
			}
		}

		/** The result HemeFHIR models for OBX-3, by its first or its alternate coding. */
		Optional<ResultCode> known(OBX obx) throws HL7Exception {
			Optional<ResultCode> known = ResultCodes.find(get(obx, 3, 1), get(obx, 3, 3));
			// CE/CWE components 4-6 hold an alternate coding, often the LOINC next to a
			// local code.
			return known.isPresent() ? known : ResultCodes.find(get(obx, 3, 4), get(obx, 3, 6));
		}

		/**
		 * One OBX as an Observation, or null after recording why it cannot be one. A
		 * result HemeFHIR models ({@code code} not null) gets its profile and unit; any
		 * other coded result is stored as a plain laboratory Observation with the code,
		 * value and unit the laboratory sent.
		 */
		Observation observation(OBX obx, int seq, ResultCode code, String patient, String filler,
				String fillerNamespace, String observedAt) throws HL7Exception {
			int before = errors.size();
			Observation o = new Observation();
			o.addCategory().addCoding(new Coding(CATEGORY_SYSTEM, "laboratory", "Laboratory"));
			String codeKey;
			if (code != null) {
				o.getMeta().addProfile(code.kind().profile);
				o.getCode().addCoding(new Coding(code.system(), code.code(), code.display()));
				codeKey = code.code();
			}
			else {
				codeKey = Optional.ofNullable(get(obx, 3, 1)).orElse(get(obx, 3, 4));
				if (codeKey == null) {
					error("OBX", seq, 3, Code.REQUIRED_FIELD_MISSING,
							"OBX-3 (observation identifier) has no code, e.g. 718-7^Hemoglobin^LN");
					return null;
				}
				o.setCode(V2Codes.concept(get(obx, 3, 1), get(obx, 3, 2), get(obx, 3, 3), get(obx, 3, 4),
						get(obx, 3, 5), get(obx, 3, 6), namespace));
			}

			String subId = get(obx, 4, 1);
			String idValue = fillerNamespace + "/" + filler + "/" + codeKey + (subId == null ? "" : "/" + subId);
			if (filler != null && !identifiers.add(idValue)) {
				error("OBX", seq, 4, Code.DUPLICATE_KEY_IDENTIFIER,
						"Result " + codeKey + " appears twice under filler order " + filler
								+ "; give each its own OBX-4 (observation sub-ID)");
			}
			o.addIdentifier(new Identifier().setSystem(RESULT_ID_SYSTEM).setValue(idValue));

			String status = get(obx, 11, 1);
			ResultStatus resultStatus = ResultStatus.of(status).orElse(null);
			if (resultStatus == null) {
				error("OBX", seq, 11, status == null ? Code.REQUIRED_FIELD_MISSING : Code.TABLE_VALUE_NOT_FOUND,
						"OBX-11 (result status) " + (status == null ? "is empty" : "'" + status + "' is not supported")
								+ "; expected " + ResultStatus.accepted() + " (HL7 table 0085)");
			}
			else {
				o.setStatus(resultStatus.status);
			}

			String when = Optional.ofNullable(get(obx, 14, 1)).orElse(observedAt);
			if (when == null) {
				error("OBX", seq, 14, Code.REQUIRED_FIELD_MISSING,
						"Neither OBX-14 nor OBR-7 gives the date/time of the observation");
			}
			else {
				try {
					o.setEffective(V2Time.toFhir(when, zone));
				}
				catch (IllegalArgumentException e) {
					error("OBX", seq, get(obx, 14, 1) != null ? 14 : null, Code.DATA_TYPE_ERROR, e.getMessage());
				}
			}

			boolean valueSent = get(obx, 5, 1) != null || get(obx, 5, 2) != null;
			if (resultStatus != null && resultStatus.value == ResultStatus.Value.ABSENT) {
				o.setDataAbsentReason(absentReason(obx, resultStatus.absentReason));
			}
			else if (resultStatus != null && resultStatus.value == ResultStatus.Value.SENT_OR_STORED && !valueSent) {
				fromStored.add(new StatusChange(o, seq));
			}
			else if (code == null) {
				values.otherValue(obx, seq, o);
			}
			else {
				values.value(obx, seq, code, o);
			}
			if (code != null && code.kind() == Kind.MRD) {
				values.mrdMethod(obx, seq, code, o);
			}
			String range = get(obx, 7, 1);
			if (range != null) {
				o.addReferenceRange().setText(range);
			}
			if (!o.hasInterpretation()) {
				V2Codes.interpretation(get(obx, 8, 1)).ifPresent(o::addInterpretation);
			}
			if (patient != null) {
				o.setSubject(new Reference(patient));
				if (code != null && code.kind() == Kind.CHIMERISM) {
					Optional<String> transplant = lookup.transplantOf(patient);
					if (transplant.isEmpty()) {
						error("OBX", seq, 3, Code.UNKNOWN_KEY_IDENTIFIER,
								"Donor chimerism refers to the allogeneic HSCT, and the patient has no HSCT Procedure stored; send the transplant first");
					}
					else {
						o.addFocus(new Reference(transplant.get()));
					}
				}
			}
			return errors.size() == before ? o : null;
		}

		/**
		 * Why a pending or cancelled result has no value; what OBX-5 says, if anything,
		 * as its text.
		 */
		CodeableConcept absentReason(OBX obx, ResultStatus.AbsentReason reason) throws HL7Exception {
			CodeableConcept concept = new CodeableConcept()
				.addCoding(new Coding(ResultStatus.AbsentReason.SYSTEM, reason.code, reason.display));
			String text = java.util.stream.Stream.of(get(obx, 5, 1), get(obx, 5, 2))
				.filter(java.util.Objects::nonNull)
				.collect(java.util.stream.Collectors.joining(" "))
				.trim();
			return text.isEmpty() ? concept : concept.setText(text);
		}

		/**
		 * D, W and U without OBX-5 change the status of the stored result: its value,
		 * interpretation and reference range stay. A deletion of a result never stored is
		 * left out with a warning; a U without a stored value is an error.
		 */
		void completeFromStored() {
			if (fromStored.isEmpty()) {
				return;
			}
			Map<String, Observation> stored = lookup.storedResults(RESULT_ID_SYSTEM,
					fromStored.stream().map(c -> c.result().getIdentifierFirstRep().getValue()).toList());
			for (StatusChange change : fromStored) {
				Observation o = change.result();
				int seq = change.sequence();
				String id = o.getIdentifierFirstRep().getValue();
				Observation earlier = stored.get(id);
				boolean deletes = o.getStatus() == Observation.ObservationStatus.ENTEREDINERROR;
				if (earlier == null && deletes) {
					warnings.add(Hl7v2Error.warning("OBX", seq,
							"Result " + id + " is not stored, so there is nothing to mark entered-in-error"));
					int entry = indexOf(o);
					bundle.getEntry().remove(entry);
					sources.remove(entry);
					continue;
				}
				if (earlier == null || (!deletes && !earlier.hasValue())) {
					error("OBX", seq, 5, Code.REQUIRED_FIELD_MISSING,
							"OBX-5 (the result) is empty and "
									+ (earlier == null ? "no result " + id + " is stored"
											: "the stored result " + id + " has none")
									+ " to make final; send the result with OBX-11 F");
					continue;
				}
				if (earlier.hasValue()) {
					o.setValue(earlier.getValue().copy());
				}
				else {
					o.setDataAbsentReason(earlier.getDataAbsentReason().copy());
				}
				if (!o.hasInterpretation()) {
					earlier.getInterpretation().forEach(i -> o.addInterpretation(i.copy()));
				}
				if (!o.hasReferenceRange()) {
					earlier.getReferenceRange().forEach(r -> o.addReferenceRange(r.copy()));
				}
			}
		}

		private int indexOf(Observation o) {
			for (int i = 0; i < bundle.getEntry().size(); i++) {
				if (bundle.getEntry().get(i).getResource() == o) {
					return i;
				}
			}
			throw new IllegalStateException("result not in the transaction");
		}

		/**
		 * Adds a conditional update on the resource's identifier; returns the entry's
		 * fullUrl.
		 */
		String add(Resource resource, String system, String segment, int seq) {
			String value = resource instanceof Observation o ? o.getIdentifierFirstRep().getValue()
					: ((Specimen) resource).getIdentifierFirstRep().getValue();
			String fullUrl = "urn:uuid:" + UUID.randomUUID();
			bundle.addEntry()
				.setFullUrl(fullUrl)
				.setResource(resource)
				.getRequest()
				.setMethod(Bundle.HTTPVerb.PUT)
				.setUrl(resource.fhirType() + "?identifier="
						+ UrlUtil.escapeUrlParam(system + "|" + escapeToken(value)));
			sources.add(new Source(segment, seq));
			return fullUrl;
		}

		void error(String segment, int sequence, Integer field, Code code, String text) {
			errors.add(Hl7v2Error.at(segment, sequence, field, code, text));
		}

	}

	/**
	 * Characters with a meaning in a FHIR token search value are escaped with a
	 * backslash.
	 */
	static String escapeToken(String value) {
		return value.replace("\\", "\\\\").replace("|", "\\|").replace(",", "\\,").replace("$", "\\$");
	}

}
