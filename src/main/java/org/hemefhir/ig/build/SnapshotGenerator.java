package org.hemefhir.ig.build;

import org.hemefhir.validation.HemeFhirIg;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.hapi.converters.canonical.VersionCanonicalizer;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.ProfileKnowledgeWorkerR5;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r5.conformance.profile.ProfileUtilities;
import org.hl7.fhir.r5.context.IWorkerContext;
import org.hl7.fhir.utilities.validation.ValidationMessage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Generates snapshots with the HL7 {@link ProfileUtilities}, keeping its messages: HAPI's
 * SnapshotGeneratingValidationSupport drops them, and a profile whose snapshot has errors
 * must fail the build instead of failing later at validation time.
 */
public final class SnapshotGenerator {

	private final FhirContext ctx;

	private final VersionCanonicalizer canonicalizer;

	private final DefaultProfileValidationSupport core;

	public SnapshotGenerator(FhirContext ctx) {
		this.ctx = ctx;
		this.canonicalizer = new VersionCanonicalizer(ctx);
		this.core = new DefaultProfileValidationSupport(ctx);
	}

	/**
	 * Fills in the snapshot of every StructureDefinition (in place). Extensions go first
	 * because profiles use them. Returns the error messages, each prefixed with the
	 * profile URL.
	 */
	public List<String> generateAll(List<StructureDefinition> definitions) {
		List<StructureDefinition> ordered = new ArrayList<>(definitions);
		// extensions before profiles: a profile's extension slices read the extension's
		// snapshot
		ordered.sort(Comparator.comparing((StructureDefinition sd) -> "Extension".equals(sd.getType()) ? 0 : 1));
		PrePopulatedValidationSupport known = new PrePopulatedValidationSupport(ctx);
		List<String> errors = new ArrayList<>();
		for (StructureDefinition sd : ordered) {
			long t0 = System.nanoTime();
			errors.addAll(generate(sd, known));
			if (Boolean.getBoolean("hemefhir.ig.verbose")) {
				System.out.println("[hemefhir-ig] " + sd.getId() + " " + (System.nanoTime() - t0) / 1_000_000 + " ms");
			}
			known.addStructureDefinition(sd);
		}
		return errors;
	}

	private List<String> generate(StructureDefinition sd, PrePopulatedValidationSupport known) {
		ValidationSupportChain chain = new ValidationSupportChain(core, known,
				new CommonCodeSystemsTerminologyService(ctx), new InMemoryTerminologyServerValidationSupport(ctx));
		IWorkerContext worker = new WorkerContextValidationSupportAdapter(chain);
		List<ValidationMessage> messages = new ArrayList<>();
		List<String> errors = new ArrayList<>();
		org.hl7.fhir.r5.model.StructureDefinition r5 = canonicalizer.structureDefinitionToCanonical(sd);
		org.hl7.fhir.r5.model.StructureDefinition base = worker
			.fetchResource(org.hl7.fhir.r5.model.StructureDefinition.class, r5.getBaseDefinition());
		if (base == null) {
			return List.of(sd.getUrl() + ": base definition not found: " + r5.getBaseDefinition());
		}
		try {
			r5.setSnapshot(null);
			new ProfileUtilities(worker, messages, new ProfileKnowledgeWorkerR5(ctx)).generateSnapshot(base, r5,
					r5.getUrl(), HemeFhirIg.CANONICAL_BASE, r5.getName());
		}
		catch (RuntimeException e) {
			return List.of(sd.getUrl() + ": snapshot generation failed: " + e.getMessage());
		}
		for (ValidationMessage m : messages) {
			if (Boolean.getBoolean("hemefhir.ig.verbose")) {
				System.out.println("[hemefhir-ig] " + sd.getUrl() + " " + m.getLevel() + " " + m.getMessage());
			}
			if (m.getLevel() == ValidationMessage.IssueSeverity.ERROR
					|| m.getLevel() == ValidationMessage.IssueSeverity.FATAL) {
				errors.add(sd.getUrl() + ": " + m.getLocation() + ": " + m.getMessage());
			}
		}
		if (!r5.hasSnapshot() || r5.getSnapshot().getElement().isEmpty()) {
			errors.add(sd.getUrl() + ": empty snapshot");
		}
		StructureDefinition r4 = (StructureDefinition) canonicalizer.structureDefinitionFromCanonical(r5);
		sd.setSnapshot(r4.getSnapshot());
		return errors;
	}

}
