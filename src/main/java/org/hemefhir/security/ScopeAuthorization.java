package org.hemefhir.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.IPreResourceShowDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilder;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilderRuleOpClassifier;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleFinished;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleTester;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.util.List;
import java.util.Set;
import java.util.function.BiPredicate;
import org.hemefhir.security.SmartScope.Interaction;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * The token's SMART scopes as HAPI authorization rules: HAPI checks every resource a
 * request writes (each transaction entry included) and every resource it returns
 * ({@code _include}, {@code _revinclude}, {@code $everything}, {@code $document}) against
 * them. What HAPI's rules cannot tell apart, SMART v2 can: read from search, create from
 * update. That distinction is made here, on the request's own interaction and in the
 * testers of the write rules. Anything without a rule is denied.
 */
class ScopeAuthorization extends AuthorizationInterceptor {

	/** Operations whose answer is computed from a patient's whole record. */
	static final Set<String> WHOLE_RECORD_OPERATIONS = Set.of("$outcomes", "$treatment-timeline");

	@Override
	public List<IAuthRule> buildRuleList(RequestDetails request) {
		if (!(request instanceof ServletRequestDetails)) {
			// the server's own work (IG installation, the case loader, HL7 v2 messages
			// admitted at their own door, batch jobs): no client to restrict
			return new RuleBuilder().allowAll("the server's own work").build();
		}
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (!(authentication instanceof JwtAuthenticationToken token)) {
			// only the public paths get this far without a token
			return new RuleBuilder().allow("capability statement").metadata().andThen().denyAll("no token").build();
		}
		Grants grants = Grants.of(token.getToken());
		if (grants.admin()) {
			return new RuleBuilder().allowAll("scope " + Grants.ADMIN_SCOPE).build();
		}
		String refused = refusedInteraction(request, grants);
		if (refused != null) {
			return new RuleBuilder().denyAll(refused).build();
		}
		return rules(grants);
	}

	/**
	 * HAPI's check of shown resources fails on the server's own requests (they carry no
	 * REST operation); those have no client to restrict.
	 */
	@Override
	@Hook(Pointcut.STORAGE_PRESHOW_RESOURCES)
	public void hookPreShow(RequestDetails request, IPreResourceShowDetails details, Pointcut pointcut) {
		if (request instanceof ServletRequestDetails) {
			super.hookPreShow(request, details, pointcut);
		}
	}

	static List<IAuthRule> rules(Grants grants) {
		IAuthRuleBuilder rules = new RuleBuilder();
		rules.allow("capability statement").metadata();
		rules.allow("transaction entries, each by its own rule").transaction().withAnyOperation().andApplyNormalRules();
		scopeRules(rules, grants.effective(), null, grants::allowsEverywhere);
		if (grants.allowsEverywhere("Patient", Interaction.READ)) {
			rules.allow("$everything: every resource returned is checked")
				.operation()
				.named("$everything")
				.onInstancesOfType(Patient.class)
				.andRequireExplicitResponseAuthorization();
		}
		if (grants.allowsEverywhere("Composition", Interaction.READ)) {
			rules.allow("$document: every resource returned is checked")
				.operation()
				.named("$document")
				.onInstancesOfType(Composition.class)
				.andRequireExplicitResponseAuthorization();
		}
		if (grants.allowsEverywhere("*", Interaction.READ) && grants.allowsEverywhere("*", Interaction.SEARCH)) {
			for (String operation : WHOLE_RECORD_OPERATIONS) {
				rules.allow(operation + " reads the whole record")
					.operation()
					.named(operation)
					.onInstancesOfType(Patient.class)
					.andAllowAllResponses();
			}
		}
		if (grants.patient() != null) {
			IdType patient = new IdType("Patient", grants.patient());
			BiPredicate<String, Interaction> inCompartment = (type,
					interaction) -> grants.inCompartment().stream().anyMatch(scope -> scope.covers(type, interaction));
			scopeRules(rules, grants.inCompartment(), patient, inCompartment);
			if (inCompartment.test("Patient", Interaction.READ)) {
				rules.allow("$everything of the token's patient")
					.operation()
					.named("$everything")
					.onInstance(patient)
					.andRequireExplicitResponseAuthorization();
			}
			if (inCompartment.test("*", Interaction.READ) && inCompartment.test("*", Interaction.SEARCH)) {
				for (String operation : WHOLE_RECORD_OPERATIONS) {
					rules.allow(operation + " of the token's patient")
						.operation()
						.named(operation)
						.onInstance(patient)
						.andAllowAllResponses();
				}
			}
		}
		if (grants.validator()) {
			rules.allow(Grants.VALIDATE_SCOPE).operation().named("$validate").atAnyLevel().andAllowAllResponses();
		}
		return rules.denyAll("no scope of the token allows this").build();
	}

	/**
	 * The rules of a set of scopes, for all data ({@code compartment} null) or within a
	 * patient's compartment; {@code granted} tells create from update, which HAPI's write
	 * rules do not.
	 */
	private static void scopeRules(IAuthRuleBuilder rules, List<SmartScope> scopes, IdType compartment,
			BiPredicate<String, Interaction> granted) {
		IAuthRuleTester createOrUpdate = new IAuthRuleTester() {
			@Override
			public boolean matches(RuleTestRequest test) {
				String type = test.resource != null ? test.resource.fhirType()
						: test.resourceId != null ? test.resourceId.getResourceType() : null;
				Interaction needed = test.operation == RestOperationTypeEnum.CREATE ? Interaction.CREATE
						: Interaction.UPDATE;
				return type != null && granted.test(type, needed);
			}
		};
		for (SmartScope scope : scopes) {
			String type = scope.resourceType();
			boolean any = type.equals("*");
			Set<Interaction> allowed = scope.interactions();
			if (allowed.contains(Interaction.READ) || allowed.contains(Interaction.SEARCH)) {
				where(any ? rules.allow(scope + " read").read().allResources()
						: rules.allow(scope + " read").read().resourcesOfType(type), compartment);
			}
			if (allowed.contains(Interaction.CREATE) || allowed.contains(Interaction.UPDATE)) {
				where(any ? rules.allow(scope + " write").write().allResources()
						: rules.allow(scope + " write").write().resourcesOfType(type), compartment)
					.withTester(createOrUpdate);
				if (compartment == null) {
					(any ? rules.allow(scope + " conditional create").createConditional().allResources()
							: rules.allow(scope + " conditional create").createConditional().resourcesOfType(type))
						.andThen();
					(any ? rules.allow(scope + " conditional update").updateConditional().allResources()
							: rules.allow(scope + " conditional update").updateConditional().resourcesOfType(type))
						.andThen();
				}
			}
			if (allowed.contains(Interaction.DELETE)) {
				where(any ? rules.allow(scope + " delete").delete().allResources()
						: rules.allow(scope + " delete").delete().resourcesOfType(type), compartment);
			}
		}
	}

	private static IAuthRuleFinished where(IAuthRuleBuilderRuleOpClassifier rule, IdType compartment) {
		return compartment == null ? rule.withAnyId() : rule.inCompartment("Patient", compartment);
	}

	/**
	 * The interaction the request itself performs must be granted as such: a search needs
	 * {@code s}, a read {@code r} (HAPI's read rules admit both).
	 */
	static String refusedInteraction(RequestDetails request, Grants grants) {
		RestOperationTypeEnum operation = request.getRestOperationType();
		String type = request.getResourceName();
		if (operation == null || type == null) {
			return null;
		}
		Interaction needed;
		switch (operation) {
			case READ:
			case VREAD:
			case HISTORY_INSTANCE:
				needed = Interaction.READ;
				break;
			case SEARCH_TYPE:
			case HISTORY_TYPE:
				needed = Interaction.SEARCH;
				break;
			default:
				return null;
		}
		return grants.allows(type, needed) ? null
				: "no scope of the token allows " + needed.name().toLowerCase(java.util.Locale.ROOT) + " on " + type;
	}

}
