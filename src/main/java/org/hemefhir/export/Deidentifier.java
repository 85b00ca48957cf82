package org.hemefhir.export;

import org.hemefhir.course.PartialDate;
import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementCompositeDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.Period;
import java.util.Base64;
import java.util.Calendar;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

/**
 * De-identifies one resource in place, with rules that are each a unit test
 * (docs/research.md):
 * <ol>
 * <li>names, addresses, telecom, photos and other attachments are removed, wherever they
 * occur;
 * <li>business identifiers are replaced by stable pseudonyms (HMAC of system and value),
 * resource ids by stable pseudonyms of type and id, and every reference is rewritten the
 * same way, so the references inside an export still resolve; reference displays are
 * removed;
 * <li>free text is removed: narratives, notes (Annotation) and the explanation of an
 * assumed value;
 * <li>every date, dateTime and instant of a resource that belongs to a patient is shifted
 * by that patient's offset, a stable number of days (HMAC of the patient id) whose
 * magnitude lies between {@code minShiftDays} and {@code maxShiftDays}; every interval
 * between that patient's dates is therefore kept exactly, and no shifted date equals an
 * original date of a course shorter than {@code minShiftDays};
 * <li>a patient aged 90 or more at export has no birth date, only an age-group extension
 * "90+";
 * <li>meta keeps only its profiles and data-origin tags (no version, lastUpdated or
 * source); the assumed-value marker stays but its free-text explanation is replaced.
 * </ol>
 */
final class Deidentifier {

	static final String PSEUDONYM_SYSTEM = "urn:hemefhir:pseudonym";
	static final String AGE_GROUP = "http://hemefhir.org/fhir/StructureDefinition/age-group";

	static final String ASSUMED = "http://hemefhir.org/fhir/StructureDefinition/assumed";

	static final String ASSUMED_REDACTED = "Assumed value; the explanation was removed by de-identification.";

	static final String DATA_ORIGIN = "http://hemefhir.org/fhir/CodeSystem/data-origin";

	private final FhirContext context;

	private final SecretKeySpec key;

	private final int minShiftDays;

	private final int maxShiftDays;

	private final LocalDate today;

	Deidentifier(FhirContext context, byte[] key, int minShiftDays, int maxShiftDays, LocalDate today) {
		if (minShiftDays < 1 || maxShiftDays < minShiftDays) {
			throw new IllegalArgumentException(
					"date shift must satisfy 1 <= min <= max, not " + minShiftDays + ".." + maxShiftDays);
		}
		this.context = context;
		this.key = new SecretKeySpec(key, "HmacSHA256");
		this.minShiftDays = minShiftDays;
		this.maxShiftDays = maxShiftDays;
		this.today = today;
	}

	/** A stable pseudonym of a value: 20 URL-safe characters of its HMAC. */
	String pseudonym(String value) {
		return Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString(hmac(value))
			.substring(0, 20)
			.replace('_', '-')
			.toLowerCase(Locale.ROOT);
	}

	/**
	 * The date shift of a patient, in days: never 0, magnitude in [minShiftDays,
	 * maxShiftDays].
	 */
	int shiftDays(String patientReference) {
		byte[] h = hmac("date-shift|" + patientReference);
		long n = ((h[0] & 0xffL) << 24 | (h[1] & 0xffL) << 16 | (h[2] & 0xffL) << 8 | (h[3] & 0xffL));
		int magnitude = minShiftDays + (int) (n % (maxShiftDays - minShiftDays + 1));
		return (h[4] & 1) == 0 ? magnitude : -magnitude;
	}

	private byte[] hmac(String value) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(key);
			return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException | InvalidKeyException e) {
			throw new IllegalStateException(e);
		}
	}

	/**
	 * The patient a resource belongs to ("Patient/123"), or null (e.g. an Organization).
	 */
	String owner(IBaseResource resource) {
		if (resource instanceof Patient) {
			return resource.getIdElement().toUnqualifiedVersionless().getValue();
		}
		return context.newTerser()
			.getAllPopulatedChildElementsOfType(resource, Reference.class)
			.stream()
			.map(Reference::getReference)
			.filter(r -> r != null && r.startsWith("Patient/"))
			.map(r -> new org.hl7.fhir.r4.model.IdType(r).toUnqualifiedVersionless().getValue())
			.findFirst()
			.orElse(null);
	}

	/** De-identifies {@code resource} in place. */
	void apply(IBaseResource resource) {
		String owner = owner(resource);
		Integer shift = owner == null ? null : shiftDays(owner);
		Resource r = (Resource) resource;
		if (r.hasIdElement() && r.getIdElement().hasIdPart()) {
			String type = r.fhirType();
			r.setId(type + "/" + pseudonym(type + "/" + r.getIdElement().getIdPart()));
		}
		Meta meta = r.getMeta();
		Meta kept = new Meta();
		meta.getProfile().forEach(p -> kept.addProfile(p.getValue()));
		// the data-origin tags (assumed, synthetic) say how to read the data, not whose
		// it is
		meta.getTag()
			.stream()
			.filter(tag -> DATA_ORIGIN.equals(tag.getSystem()))
			.forEach(tag -> kept.addTag(tag.getSystem(), tag.getCode(), tag.getDisplay()));
		r.setMeta(kept.hasProfile() || kept.hasTag() ? kept : null);
		if (r instanceof Patient patient && patient.hasBirthDate()) {
			// A birth date known to the year or month: its last possible day (the
			// youngest age).
			LocalDate youngest = PartialDate.of(patient.getBirthDateElement().getValueAsString()).last();
			if (Period.between(youngest, today).getYears() >= 90) {
				patient.setBirthDateElement(null);
				patient.addExtension(AGE_GROUP, new StringType("90+"));
			}
		}
		walk(r, shift, Collections.newSetFromMap(new IdentityHashMap<>()));
	}

	private void walk(IBase element, Integer shift, Set<IBase> seen) {
		if (!seen.add(element)) {
			return;
		}
		BaseRuntimeElementDefinition<?> definition = context.getElementDefinition(element.getClass());
		if (definition instanceof BaseRuntimeElementCompositeDefinition<?> composite) {
			for (BaseRuntimeChildDefinition child : composite.getChildren()) {
				List<IBase> values = child.getAccessor().getValues(element);
				if (values.isEmpty()) {
					continue;
				}
				if (values.stream().anyMatch(Deidentifier::removed)) {
					child.getMutator().setValue(element, null);
					continue;
				}
				values.forEach(v -> visit(v, shift, seen));
			}
		}
		// Extensions are walked here too; "seen" keeps anything from being processed
		// twice.
		if (element instanceof org.hl7.fhir.r4.model.Element e) {
			e.getExtension().forEach(x -> visit(x, shift, seen));
		}
		if (element instanceof DomainResource d) {
			d.getExtension().forEach(x -> visit(x, shift, seen));
			d.getModifierExtension().forEach(x -> visit(x, shift, seen));
		}
		if (element instanceof Extension x && x.getValue() != null) {
			visit(x.getValue(), shift, seen);
		}
	}

	private static boolean removed(IBase value) {
		return value instanceof HumanName || value instanceof Address || value instanceof ContactPoint
				|| value instanceof Attachment || value instanceof Annotation || value instanceof Narrative;
	}

	private void visit(IBase value, Integer shift, Set<IBase> seen) {
		if (seen.contains(value)) {
			return;
		}
		if (value instanceof Extension x && ASSUMED.equals(x.getUrl())) {
			// The marker stays; its explanation is free text that quotes dates and the
			// letter.
			seen.add(value);
			x.setValue(new StringType(ASSUMED_REDACTED));
			return;
		}
		if (value instanceof BaseDateTimeType date) {
			seen.add(value);
			if (shift != null && date.getValue() != null) {
				date.add(Calendar.DATE, shift);
			}
			// an extension on the date itself (e.g. the assumed marker) is de-identified
			// too
			date.getExtension().forEach(x -> visit(x, shift, seen));
			return;
		}
		if (value instanceof Identifier identifier) {
			String original = identifier.getSystem() + "|" + identifier.getValue();
			identifier.setSystem(PSEUDONYM_SYSTEM).setValue(pseudonym(original));
			identifier.setType(null).setAssigner(null).setPeriod(null);
			identifier.getExtension().clear();
			seen.add(value);
			return;
		}
		if (value instanceof Reference reference) {
			reference.setDisplay(null);
			if (reference.hasReference() && !reference.getReference().startsWith("#")) {
				var id = new org.hl7.fhir.r4.model.IdType(reference.getReference());
				if (id.hasResourceType() && id.hasIdPart()) {
					reference.setReference(
							id.getResourceType() + "/" + pseudonym(id.getResourceType() + "/" + id.getIdPart()));
				}
			}
		}
		walk(value, shift, seen);
	}

}
