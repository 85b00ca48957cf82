package org.hemefhir.course;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.AdverseEvent;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Element;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Property;

/**
 * Which of the values the {@code $outcomes} rules read rest on an assumption rather than
 * on the source (IG 0.2.0): the {@code assumed} extension on the element read (primitives
 * carry it through {@code _element}) or on the whole resource; where a resource gives no
 * element-level detail at all, its {@code data-origin|assumed} tag.
 */
final class Assumptions {

	static final String EXTENSION = PatientCourse.SD + "assumed";

	static final String DATA_ORIGIN = PatientCourse.CS + "data-origin";

	/** One assumed value: the resource, the element read and what the source says. */
	record Assumption(String source, String element, String text) {
	}

	/** An element a rule reads, with its FHIR path for the answer. */
	private record Read(String path, Base element) {
	}

	private final Map<String, List<Assumption>> byResource = new HashMap<>();

	/**
	 * The assumptions behind each resource of the course, for the elements the rules
	 * read: an observation's date and value, a procedure's date, a diagnosis' date (onset
	 * or recordedDate), a regimen's period, an adverse event's CTCAE grade.
	 */
	Assumptions(PatientCourse course) {
		for (Observation o : course.observations) {
			add(o, new Read("Observation.effective[x]", o.getEffective()),
					new Read("Observation.value[x]", o.getValue()));
		}
		for (Procedure p : course.procedures) {
			add(p, new Read("Procedure.performed[x]", p.getPerformed()));
		}
		for (Condition c : course.conditions) {
			add(c, new Read(PatientCourse.diagnosisDatePath(c), PatientCourse.diagnosisDate(c)));
		}
		for (CarePlan plan : course.carePlans) {
			add(plan, new Read("CarePlan.period", plan.getPeriod()));
		}
		for (AdverseEvent event : course.adverseEvents) {
			add(event, new Read("AdverseEvent.extension:ctcae-grade",
					event.getExtensionByUrl(PatientCourse.SD + "ctcae-grade")));
		}
	}

	/**
	 * The assumptions behind a resource ({@code Type/id}); empty when what the rules read
	 * is reported.
	 */
	List<Assumption> of(String reference) {
		return byResource.getOrDefault(reference, List.of());
	}

	boolean isAssumed(String reference) {
		return !of(reference).isEmpty();
	}

	/** The assumptions behind several resources, in their order. */
	List<Assumption> of(List<String> references) {
		return references.stream().distinct().flatMap(r -> of(r).stream()).toList();
	}

	private void add(DomainResource resource, Read... reads) {
		String ref = PatientCourse.ref(resource);
		List<Assumption> found = new ArrayList<>();
		for (Extension whole : resource.getExtensionsByUrl(EXTENSION)) {
			found.add(new Assumption(ref, resource.fhirType(), text(whole)));
		}
		for (Read read : reads) {
			List<Extension> marks = new ArrayList<>();
			collect(read.element(), marks);
			marks.forEach(m -> found.add(new Assumption(ref, read.path(), text(m))));
		}
		// The tag alone counts only when no element says which value was assumed.
		if (found.isEmpty() && resource.getMeta().getTag(DATA_ORIGIN, "assumed") != null) {
			List<Extension> anywhere = new ArrayList<>();
			collect(resource, anywhere);
			if (anywhere.isEmpty()) {
				found.add(new Assumption(ref, resource.fhirType(),
						"tagged " + DATA_ORIGIN + "|assumed; no element is marked"));
			}
		}
		if (!found.isEmpty()) {
			byResource.put(ref, List.copyOf(found));
		}
	}

	/** Every assumed extension on an element and inside it. */
	private static void collect(Base element, List<Extension> into) {
		if (element == null) {
			return;
		}
		if (element instanceof Element e) {
			into.addAll(e.getExtensionsByUrl(EXTENSION));
		}
		else if (element instanceof DomainResource r) {
			into.addAll(r.getExtensionsByUrl(EXTENSION));
		}
		for (Property property : element.children()) {
			if (property.getName().equals("extension") || property.getName().equals("contained")) {
				// an extension's own sub-extensions are walked below; contained resources
				// are
				// other resources
				for (Base value : property.getValues()) {
					if (value instanceof Extension x && !EXTENSION.equals(x.getUrl())) {
						collect(x, into);
					}
				}
				continue;
			}
			for (Base value : property.getValues()) {
				collect(value, into);
			}
		}
	}

	private static String text(Extension mark) {
		return mark.getValue() instanceof PrimitiveType<?> p && p.hasValue() ? p.getValueAsString()
				: "assumed (no reason given)";
	}

}
