package org.hemefhir.validation;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeChildChoiceDefinition;
import ca.uhn.fhir.context.RuntimeChildExtension;
import ca.uhn.fhir.util.IModelVisitor2;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.hemefhir.system.DecimalBounds;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseExtension;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;

/**
 * Decimals a FHIR parser accepts but the server refuses ({@link DecimalBounds}): HAPI
 * indexes quantities and numbers as doubles, so a value beyond about 1.8e308 (e.g.
 * {@code 1e400}) would fail deep inside storage, and a number with thousands of digits
 * written out costs minutes. Found here with their FHIRPath, so the client gets a 422
 * that says where.
 */
final class DecimalRange {

	/** One decimal refused: where it is and why. */
	record OutOfRange(String path, String message) {
	}

	private DecimalRange() {
	}

	static List<OutOfRange> check(FhirContext context, IBaseResource resource) {
		List<OutOfRange> found = new ArrayList<>();
		context.newTerser().visit(resource, new IModelVisitor2() {
			@Override
			public boolean acceptElement(IBase element, List<IBase> containing,
					List<BaseRuntimeChildDefinition> children, List<BaseRuntimeElementDefinition<?>> definitions) {
				if (element instanceof IPrimitiveType<?> primitive
						&& primitive.getValue() instanceof BigDecimal value) {
					DecimalBounds.problem(value)
						.ifPresent(problem -> found
							.add(new OutOfRange(path(resource, containing, children, definitions), problem)));
				}
				return true;
			}

			@Override
			public boolean acceptUndeclaredExtension(IBaseExtension<?, ?> extension, List<IBase> containing,
					List<BaseRuntimeChildDefinition> children, List<BaseRuntimeElementDefinition<?>> definitions) {
				return true;
			}
		});
		return found;
	}

	/** "Observation.value.ofType(Quantity).value", with [i] where an element repeats. */
	private static String path(IBaseResource resource, List<IBase> containing,
			List<BaseRuntimeChildDefinition> children, List<BaseRuntimeElementDefinition<?>> definitions) {
		StringBuilder path = new StringBuilder(resource.fhirType());
		for (int i = 0; i < children.size(); i++) {
			BaseRuntimeChildDefinition child = children.get(i);
			if (child == null) {
				continue;
			}
			IBase parent = containing.get(i);
			IBase element = containing.get(i + 1);
			String name = child.getElementName();
			if (child instanceof RuntimeChildChoiceDefinition && !(child instanceof RuntimeChildExtension)) {
				path.append('.').append(name).append(".ofType(").append(definitions.get(i + 1).getName()).append(')');
			}
			else {
				path.append('.').append(name);
			}
			List<IBase> siblings = child.getAccessor().getValues(parent);
			if (child.getMax() != 1 && siblings.size() > 1) {
				path.append('[').append(siblings.indexOf(element)).append(']');
			}
		}
		return path.toString();
	}

}
