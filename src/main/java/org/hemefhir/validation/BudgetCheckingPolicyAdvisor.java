package org.hemefhir.validation;

import java.util.EnumSet;
import org.hemefhir.system.RequestBudget;
import org.hemefhir.system.RequestCancelledException;
import org.hl7.fhir.common.hapi.validation.validator.FhirDefaultPolicyAdvisor;
import org.hl7.fhir.r5.model.ElementDefinition;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.utils.validation.IResourceValidator;

/**
 * HAPI's default validation policy, plus a stop at every element once the current
 * request's time budget is spent: the HL7 validator asks its policy advisor about each
 * element it visits, which makes this the one place where a long validation can be
 * interrupted.
 */
class BudgetCheckingPolicyAdvisor extends FhirDefaultPolicyAdvisor {

	/**
	 * Thrown through the validator as an Error: it catches Exceptions in many places and
	 * would turn a RuntimeException into a validation message.
	 */
	static final class BudgetSpent extends Error {

		private final transient RequestBudget budget;

		BudgetSpent(RequestBudget budget) {
			super(null, null, false, false);
			this.budget = budget;
		}

		RequestCancelledException exception() {
			return budget.exception();
		}

	}

	@Override
	public EnumSet<ElementValidationAction> policyForElement(IResourceValidator validator, Object appContext,
			StructureDefinition structure, ElementDefinition element, String path) {
		RequestBudget budget = RequestBudget.current().orElse(null);
		if (budget != null && budget.isOver()) {
			throw new BudgetSpent(budget);
		}
		return super.policyForElement(validator, appContext, structure, element, path);
	}

}
