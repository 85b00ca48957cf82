package org.hemefhir.security;

import ca.uhn.fhir.context.FhirContext;
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
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthorizationSearchParamMatcher;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthorizationSearchParamMatcher.Match;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthorizationSearchParamMatcher.MatchResult;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import org.hemefhir.security.SmartScope.Interaction;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
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

	/** Bulk Data import: its kick-off and its poll. */
	static final Set<String> IMPORT_OPERATIONS = Set.of("$import", "$import-poll-status");

	private final FhirContext context;

	ScopeAuthorization(FhirContext context, IAuthorizationSearchParamMatcher matcher) {
		this.context = context;
		// evaluates the search restrictions of v2 scopes on each resource, in memory
		setAuthorizationSearchParamMatcher(matcher);
	}

	/** The bearer token of the request being handled, or null. */
	static Jwt token() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		return authentication instanceof JwtAuthenticationToken token ? token.getToken() : null;
	}

	@Override
	public List<IAuthRule> buildRuleList(RequestDetails request) {
		if (!(request instanceof ServletRequestDetails)) {
			// the server's own work (IG installation, the case loader, HL7 v2 messages
			// admitted at their own door, batch jobs): no client to restrict
			return new RuleBuilder().allowAll("the server's own work").build();
		}
		Jwt token = token();
		if (token == null) {
			// only the public paths get this far without a token
			return new RuleBuilder().allow("capability statement").metadata().andThen().denyAll("no token").build();
		}
		Grants grants = Grants.of(token);
		if (grants.admin()) {
			return new RuleBuilder().allowAll("scope " + Grants.ADMIN_SCOPE).build();
		}
		String refused = unenforceableRestriction(grants, request.getResourceName());
		if (refused == null && request.getOperation() != null && IMPORT_OPERATIONS.contains(request.getOperation())
				&& !grants.bulkImport()) {
			refused = request.getOperation() + " needs a system-level write scope on every type: system/*.cu "
					+ "(or system/*.cud, system/*.write), without a search restriction";
		}
		if (refused == null) {
			refused = refusedInteraction(request, grants);
		}
		if (refused != null) {
			return new RuleBuilder().denyAll(refused).build();
		}
		return rules(grants, ExportAccess.client(token), context.getResourceTypes());
	}

	/**
	 * A search restriction the in-memory matcher cannot evaluate would match nothing (or,
	 * in a deny rule, everything): the token is refused with the reason rather than
	 * quietly narrowed or widened. A {@code *} restriction is tried on the requested
	 * type.
	 */
	String unenforceableRestriction(Grants grants, String requestedType) {
		List<SmartScope> scopes = new ArrayList<>(grants.effective());
		scopes.addAll(grants.inCompartment());
		for (SmartScope scope : scopes) {
			if (!scope.restricted()) {
				continue;
			}
			String type = scope.resourceType().equals("*") ? requestedType : scope.resourceType();
			if (type == null || !context.getResourceTypes().contains(type)) {
				continue;
			}
			String reason;
			try {
				MatchResult result = getSearchParamMatcher().match(type + "?" + scope.restriction(),
						context.getResourceDefinition(type).newInstance());
				reason = result.match == Match.UNSUPPORTED ? result.unsupportedReason : null;
			}
			catch (RuntimeException e) {
				reason = e.getMessage();
			}
			if (reason != null) {
				return "The scope " + scope + " has a search restriction this server cannot enforce (" + reason
						+ "); the token is refused. Ask for a scope whose restriction uses token, string, "
						+ "reference, date or quantity parameters of " + type + " without chains";
			}
		}
		return null;
	}

	/**
	 * A search on a type that the token's scopes open only through one search restriction
	 * gets that restriction's parameters added, so it returns the matching resources
	 * instead of being refused for the others (HAPI still checks every resource
	 * returned). With several restrictions on the type nothing is added: each result must
	 * match one.
	 */
	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void narrowRestrictedSearch(RequestDetails request) {
		if (!(request instanceof ServletRequestDetails)
				|| request.getRestOperationType() != RestOperationTypeEnum.SEARCH_TYPE) {
			return;
		}
		Jwt token = token();
		if (token == null) {
			return;
		}
		Grants grants = Grants.of(token);
		String type = request.getResourceName();
		List<SmartScope> scopes = new ArrayList<>(grants.effective());
		scopes.addAll(grants.inCompartment());
		List<SmartScope> covering = scopes.stream().filter(s -> s.covers(type, Interaction.SEARCH)).toList();
		if (grants.admin() || covering.isEmpty() || covering.stream().anyMatch(s -> !s.restricted())
				|| covering.stream().map(SmartScope::restriction).distinct().count() > 1) {
			return;
		}
		Map<String, String[]> parameters = new HashMap<>(request.getParameters());
		covering.get(0).restrictionParameters().forEach((name, values) -> {
			List<String> all = new ArrayList<>();
			if (parameters.containsKey(name)) {
				all.addAll(Arrays.asList(parameters.get(name)));
			}
			// repeated parameters are ANDed: the client's own values still apply (HAPI
			// refuses a value given twice)
			values.stream().filter(v -> !all.contains(v)).forEach(all::add);
			parameters.put(name, all.toArray(String[]::new));
		});
		request.setParameters(parameters);
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

	/**
	 * The rules of a token without the admin scope; {@code client} owns the export jobs
	 * it starts, {@code allTypes} are the server's resource types.
	 */
	static List<IAuthRule> rules(Grants grants, String client, Set<String> allTypes) {
		IAuthRuleBuilder rules = new RuleBuilder();
		rules.allow("capability statement").metadata();
		exportRules(rules, grants, client, allTypes);
		if (grants.deidentifiedOnly()) {
			return rules
				.denyAll("scope " + Grants.DEIDENTIFIED_EXPORT_SCOPE
						+ " allows a de-identified $export (_deidentify=true) only")
				.build();
		}
		rules.allow("transaction entries, each by its own rule").transaction().withAnyOperation().andApplyNormalRules();
		IdType patient = grants.patient() == null ? null : new IdType("Patient", grants.patient());
		BiPredicate<String, Interaction> inCompartment = (type,
				interaction) -> grants.inCompartment().stream().anyMatch(scope -> scope.covers(type, interaction));
		// scopes that name a type first, so that the audit trail's own scopes come before
		// the rule that keeps wildcards away from it
		Predicate<SmartScope> named = scope -> !scope.resourceType().equals("*");
		scopeRules(rules, grants.effective().stream().filter(named).toList(), null, grants::allowsEverywhere);
		scopeRules(rules, grants.inCompartment().stream().filter(named).toList(), patient, inCompartment);
		for (String audit : SmartScope.AUDIT_TYPES) {
			String reason = audit + " is read only with a scope that names it, and written by no scope";
			rules.deny(reason).read().resourcesOfType(audit).withAnyId();
			rules.deny(reason).write().resourcesOfType(audit).withAnyId();
			rules.deny(reason).delete().resourcesOfType(audit).withAnyId();
		}
		scopeRules(rules, grants.effective().stream().filter(named.negate()).toList(), null, grants::allowsEverywhere);
		scopeRules(rules, grants.inCompartment().stream().filter(named.negate()).toList(), patient, inCompartment);
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
		if (grants.allowsAll("*", Interaction.READ) && grants.allowsAll("*", Interaction.SEARCH)) {
			for (String operation : WHOLE_RECORD_OPERATIONS) {
				rules.allow(operation + " reads the whole record")
					.operation()
					.named(operation)
					.onInstancesOfType(Patient.class)
					.andAllowAllResponses();
			}
		}
		if (patient != null) {
			if (inCompartment.test("Patient", Interaction.READ)) {
				rules.allow("$everything of the token's patient")
					.operation()
					.named("$everything")
					.onInstance(patient)
					.andRequireExplicitResponseAuthorization();
			}
			if (!grants.exportable(List.of("*"), true).isEmpty()) {
				for (String operation : WHOLE_RECORD_OPERATIONS) {
					rules.allow(operation + " of the token's patient")
						.operation()
						.named(operation)
						.onInstance(patient)
						.andAllowAllResponses();
				}
			}
		}
		if (grants.bulkImport()) {
			for (String operation : IMPORT_OPERATIONS) {
				// the poll shows the client's own jobs only (ImportAccess)
				rules.allow(operation + " with a write scope on every type")
					.operation()
					.named(operation)
					.onServer()
					.andAllowAllResponses();
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
			// a named type's interactions as covers() grants them: AuditEvent is never
			// written
			Set<Interaction> allowed = any ? scope.interactions()
					: Set.copyOf(scope.interactions().stream().filter(i -> scope.covers(type, i)).toList());
			if (allowed.contains(Interaction.READ) || allowed.contains(Interaction.SEARCH)) {
				restricted(where(any ? rules.allow(scope + " read").read().allResources()
						: rules.allow(scope + " read").read().resourcesOfType(type), compartment), scope);
			}
			if (allowed.contains(Interaction.CREATE) || allowed.contains(Interaction.UPDATE)) {
				restricted(where(any ? rules.allow(scope + " write").write().allResources()
						: rules.allow(scope + " write").write().resourcesOfType(type), compartment), scope)
					.withTester(createOrUpdate);
				// a conditional write is checked by its URL only: not with a restriction
				if (compartment == null && !scope.restricted()) {
					(any ? rules.allow(scope + " conditional create").createConditional().allResources()
							: rules.allow(scope + " conditional create").createConditional().resourcesOfType(type))
						.andThen();
					(any ? rules.allow(scope + " conditional update").updateConditional().allResources()
							: rules.allow(scope + " conditional update").updateConditional().resourcesOfType(type))
						.andThen();
				}
			}
			if (allowed.contains(Interaction.DELETE)) {
				restricted(where(any ? rules.allow(scope + " delete").delete().allResources()
						: rules.allow(scope + " delete").delete().resourcesOfType(type), compartment), scope);
			}
		}
	}

	/**
	 * A v2 search restriction as HAPI's filter tester: every resource read, returned,
	 * created, updated (before and after) or deleted under the rule must match it, in
	 * memory.
	 */
	private static IAuthRuleFinished restricted(IAuthRuleFinished rule, SmartScope scope) {
		return scope.restricted() ? rule.withFilterTester(scope.restriction()) : rule;
	}

	/**
	 * {@code $export} where the token's read scopes cover whole types
	 * ({@link ExportAccess} checks the requested types, the patient and
	 * {@code _deidentify} with clear messages first; HAPI's bulk export rules check the
	 * job again), polling, and the export files of this client only.
	 */
	private static void exportRules(IAuthRuleBuilder rules, Grants grants, String client, Set<String> allTypes) {
		rules.deny("export files of another client")
			.read()
			.resourcesOfType("Binary")
			.withAnyId()
			.withTester(exportFile(client, false));
		rules.allow("export files of this client")
			.read()
			.resourcesOfType("Binary")
			.withAnyId()
			.withTester(exportFile(client, true));
		Set<String> everywhere = grants.exportable(allTypes, false);
		Set<String> own = grants.patient() == null ? Set.of() : grants.exportable(allTypes, true);
		if (!everywhere.isEmpty()) {
			rules.allow("system $export").operation().named("$export").onServer().andAllowAllResponses();
			rules.allow("Patient $export").operation().named("$export").onType(Patient.class).andAllowAllResponses();
			rules.allow("Group $export")
				.operation()
				.named("$export")
				.onInstancesOfType(Group.class)
				.andAllowAllResponses();
			rules.allow("export of the types read scopes cover").bulkExport().any().withResourceTypes(everywhere);
		}
		if (!own.isEmpty()) {
			IdType patient = new IdType("Patient", grants.patient());
			rules.allow("$export of the token's patient")
				.operation()
				.named("$export")
				.onInstance(patient)
				.andAllowAllResponses();
			rules.allow("export of the token's patient")
				.bulkExport()
				.patientExportOnPatient(patient)
				.withResourceTypes(own);
		}
		if (!everywhere.isEmpty() || !own.isEmpty()) {
			rules.allow("$export-poll-status of this client's jobs (checked by ExportAccess)")
				.operation()
				.named("$export-poll-status")
				.onServer()
				.andAllowAllResponses();
		}
	}

	/**
	 * Matches the export files this client owns ({@code own}) or another client owns.
	 * Before the Binary is loaded nothing is known: the allow rule lets the read proceed,
	 * the deny rule waits for the resource.
	 */
	private static IAuthRuleTester exportFile(String client, boolean own) {
		return new IAuthRuleTester() {
			@Override
			public boolean matches(RuleTestRequest test) {
				return test.resource == null ? own : matchesOutput(test);
			}

			@Override
			public boolean matchesOutput(RuleTestRequest test) {
				String owner = ExportAccess.owner(test.resource);
				return owner != null && owner.equals(client) == own;
			}
		};
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
		if ("Binary".equals(type) && operation == RestOperationTypeEnum.READ) {
			// export files: the rules let their owner read them, whatever its scopes
			return null;
		}
		if (grants.deidentifiedOnly()) {
			return "scope " + Grants.DEIDENTIFIED_EXPORT_SCOPE + " allows a de-identified $export (_deidentify=true) "
					+ "only, no read or search";
		}
		if (operation == RestOperationTypeEnum.DELETE && (request.getId() == null || !request.getId().hasIdPart())) {
			// one request could delete any number of resources: an administrator's act
			return "deleting by criteria needs scope " + Grants.ADMIN_SCOPE;
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
