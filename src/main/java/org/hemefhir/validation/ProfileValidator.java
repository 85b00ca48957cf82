package org.hemefhir.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import ca.uhn.fhir.context.support.ValueSetExpansionOptions;
import ca.uhn.fhir.parser.LenientErrorHandler;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.hemefhir.validation.HemeFhirIg;
import org.hemefhir.system.BodyLimits;
import org.hemefhir.system.DocumentLimits;
import org.hemefhir.system.RequestBudget;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.ValueSet;
import org.hl7.fhir.r5.elementmodel.Manager;
import org.hl7.fhir.r5.utils.validation.ValidatorSession;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;
import org.hl7.fhir.r5.utils.validation.constants.IdStatus;
import org.hl7.fhir.r5.utils.xver.XVerExtensionManagerOld;
import org.hl7.fhir.utilities.i18n.I18nConstants;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.hl7.fhir.validation.ValidatorSettings;
import org.hl7.fhir.validation.instance.InstanceValidator;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates resources and bundles against the HemeFHIR profiles, offline.
 *
 * <p>
 * Build one instance per application ({@link #fromClasspath()}) and share it: it is
 * thread-safe. HAPI's {@link FhirInstanceValidator} builds a new
 * {@link InstanceValidator} on every call, which re-reads the OID registry and re-creates
 * the FHIRPath and profile engines (~20 ms per call). This class reuses a few
 * {@link InstanceValidator}s ({@link InstanceValidatorPool}, emptied after each use so
 * that memory stays flat) over one shared, cached validation support chain, and validates
 * a bundle in a single pass. Validation stops at the next element when the current
 * request's {@link RequestBudget} runs out.
 *
 * <p>
 * Profiles applied: the profiles in {@code meta.profile} (always), an explicit profile if
 * given, and otherwise the HemeFHIR profile inferred from resource type and code
 * ({@link ProfileInference}). Bundle entries get their own inferred profile; issue
 * locations read {@code Bundle.entry[i].resource...}.
 */
public final class ProfileValidator {

	static final String DECIMAL_OUT_OF_RANGE = "hemefhir-decimal-out-of-range";
	static final String VALIDATOR_FAILED = "hemefhir-validator-failed";

	private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ProfileValidator.class);

	private static final Pattern ENTRY_LOCATION = Pattern.compile("^Bundle\\.entry\\[(\\d+)]");

	private static final Pattern LOCATION_COMMENT = Pattern.compile("/\\*.*?\\*/");

	private final FhirContext ctx;

	private final IgPackage ig;

	private final ValidationSupportChain support;

	private final WorkerContextValidationSupportAdapter worker;

	private final ProfileInference inference;

	private final Set<String> profileUrls = new LinkedHashSet<>();

	private final InstanceValidatorPool validators;

	/**
	 * Builds the validator from the package on the classpath
	 * ({@value HemeFhirIg#CLASSPATH_PACKAGE}).
	 */
	public static ProfileValidator fromClasspath() {
		return fromClasspath(Runtime.getRuntime().availableProcessors());
	}

	/** The same, running at most {@code concurrency} validations at once. */
	public static ProfileValidator fromClasspath(int concurrency) {
		FhirContext ctx = FhirContext.forR4Cached();
		return new ProfileValidator(ctx, IgPackage.fromClasspath(ctx), concurrency);
	}

	public ProfileValidator(FhirContext ctx, IgPackage ig) {
		this(ctx, ig, Runtime.getRuntime().availableProcessors());
	}

	public ProfileValidator(FhirContext ctx, IgPackage ig, int concurrency) {
		this.ctx = ctx;
		this.validators = new InstanceValidatorPool(Math.max(1, concurrency), this::newInstanceValidator);
		this.ig = ig;
		PrePopulatedValidationSupport igSupport = new PrePopulatedValidationSupport(ctx);
		for (IBaseResource r : ig.conformance()) {
			igSupport.addResource(r);
			if (r instanceof StructureDefinition sd && "resource".equals(sd.getKind().toCode())) {
				profileUrls.add(sd.getUrl());
			}
		}
		// LOINC, SNOMED CT, RxNorm, ATC, HGNC, NCIt, MedDRA are not held here: their
		// codes are checked
		// only against the IG's enumerated value sets; an unknown system alone yields no
		// issue.
		UnknownCodeSystemWarningValidationSupport unknownSystems = new UnknownCodeSystemWarningValidationSupport(ctx);
		unknownSystems.setNonExistentCodeSystemSeverity(IValidationSupport.IssueSeverity.INFORMATION);
		this.support = new ValidationSupportChain(new DefaultProfileValidationSupport(ctx), igSupport,
				new CommonCodeSystemsTerminologyService(ctx), new InMemoryTerminologyServerValidationSupport(ctx),
				new SnapshotGeneratingValidationSupport(ctx), unknownSystems);
		this.worker = new WorkerContextValidationSupportAdapter(support);
		this.inference = new ProfileInference(ig.conformance());
	}

	/**
	 * Validates against declared profiles plus the inferred HemeFHIR profile (per entry
	 * for bundles).
	 */
	public ValidationResult validate(IBaseResource resource) {
		return validate(resource, null);
	}

	/**
	 * Validates against {@code explicitProfileUrl} (replacing inference for the top-level
	 * resource; {@code null} means infer) plus the declared {@code meta.profile}
	 * profiles.
	 */
	public ValidationResult validate(IBaseResource resource, String explicitProfileUrl) {
		// A decimal the server refuses is reported alone: writing it out for the
		// validator is what costs.
		List<SingleValidationMessage> decimals = decimalsOutOfRange(resource);
		if (!decimals.isEmpty()) {
			return new ValidationResult(ctx, decimals);
		}
		return validateText(ctx.newJsonParser().encodeResourceToString(resource), resource, explicitProfileUrl);
	}

	/**
	 * Validates raw JSON as received (e.g. by {@code $validate} or a CLI): content that
	 * HAPI's parser would refuse, such as an unknown status code, is reported as a
	 * validation issue instead.
	 */
	public ValidationResult validateJson(String json, String explicitProfileUrl) {
		Optional<DocumentLimits.Violation> violation = DocumentLimits.checkJson(json, BodyLimits.DEFAULT);
		if (violation.isPresent()) {
			return new ValidationResult(ctx, List
				.of(message(ResultSeverityEnum.FATAL, violation.get().expression(), null, violation.get().message())));
		}
		IBaseResource parsed;
		try {
			parsed = ctx.newJsonParser()
				.setParserErrorHandler(new LenientErrorHandler(false).setErrorOnInvalidValue(false))
				.parseResource(json);
		}
		catch (RuntimeException e) {
			return new ValidationResult(ctx, List.of(message(ResultSeverityEnum.FATAL, null, null,
					"The content is not a FHIR R4 JSON resource: " + e.getMessage())));
		}
		return validateText(json, parsed, explicitProfileUrl);
	}

	private ValidationResult validateText(String json, IBaseResource resource, String explicitProfileUrl) {
		List<String> topProfiles = new ArrayList<>();
		Map<Integer, String> entryProfiles = new TreeMap<>();
		if (explicitProfileUrl != null && !explicitProfileUrl.isBlank()) {
			topProfiles.add(explicitProfileUrl.trim());
		}
		else if (!declaresHemeFhirProfile(resource)) {
			inference.inferProfile(resource).ifPresent(topProfiles::add);
		}
		if (resource instanceof Bundle bundle) {
			json = withEntryProfiles(json, bundle, entryProfiles);
		}

		List<SingleValidationMessage> out = new ArrayList<>();
		List<org.hl7.fhir.r5.model.StructureDefinition> profiles = new ArrayList<>();
		for (String url : topProfiles) {
			org.hl7.fhir.r5.model.StructureDefinition sd = worker
				.fetchResource(org.hl7.fhir.r5.model.StructureDefinition.class, url);
			if (sd == null) {
				out.add(message(ResultSeverityEnum.ERROR, resource.fhirType(),
						I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN, "Unknown profile '" + url
								+ "': it is neither a HemeFHIR profile nor a FHIR R4 core definition"));
			}
			else {
				profiles.add(sd);
			}
		}
		if (!out.isEmpty()) {
			return new ValidationResult(ctx, out);
		}
		// The InstanceValidator only warns about unknown meta.profile entries; a profile
		// the client
		// claims but we do not know is an error (as HAPI's FhirInstanceValidator reports
		// it).
		checkDeclaredProfiles(resource, resource.fhirType(), out);
		if (resource instanceof Bundle bundle) {
			for (int i = 0; i < bundle.getEntry().size(); i++) {
				Resource entry = bundle.getEntry().get(i).getResource();
				if (entry != null) {
					checkDeclaredProfiles(entry, "Bundle.entry[" + i + "].resource", out);
				}
			}
		}

		List<SingleValidationMessage> decimals = decimalsOutOfRange(resource);
		if (!decimals.isEmpty()) {
			out.addAll(decimals);
			return new ValidationResult(ctx, out);
		}

		byte[] content = json.getBytes(StandardCharsets.UTF_8);
		List<ValidationMessage> messages = new ArrayList<>();
		try {
			validators.with(v -> {
				v.validate(null, messages, new ByteArrayInputStream(content), Manager.FhirFormat.JSON, profiles);
				return null;
			});
		}
		catch (BudgetCheckingPolicyAdvisor.BudgetSpent spent) {
			throw spent.exception();
		}
		catch (RuntimeException | StackOverflowError crash) {
			// The HL7 validator fails outright on a few shapes of content (found by
			// fuzzing, e.g. a reference
			// "Patient?identifier=http://x//y|z"); what it cannot judge is not stored,
			// and says so.
			log.warn("The validator failed on a {}: {}", resource.fhirType(), crash.toString());
			out.add(message(ResultSeverityEnum.ERROR, resource.fhirType(), VALIDATOR_FAILED,
					"This content could not be validated (the validator failed on it: "
							+ (crash instanceof StackOverflowError ? "a value repeats or nests too deeply to check"
									: readable(String.valueOf(crash.getMessage())))
							+ "); check references, codes and paths for unusual characters"));
			return new ValidationResult(ctx, out);
		}

		String topProfile = topProfiles.isEmpty() ? firstHemeFhirProfile(resource) : topProfiles.get(0);
		for (ValidationMessage m : messages) {
			if (isNoise(m)) {
				continue;
			}
			String location = cleanLocation(m.getLocation());
			String profile = topProfile;
			Matcher entry = ENTRY_LOCATION.matcher(location == null ? "" : location);
			if (entry.find()) {
				profile = entryProfiles.get(Integer.parseInt(entry.group(1)));
			}
			String text = readable(m.getMessage());
			if (profile != null && !text.contains(profile)) {
				text = text + " (validating against profile " + profile + ")";
			}
			SingleValidationMessage single = message(ResultSeverityEnum.fromCode(m.getLevel().toCode()), location,
					m.getMessageId(), text);
			single.setLocationLine(m.getLine());
			single.setLocationCol(m.getCol());
			out.add(single);
		}
		return new ValidationResult(ctx, out);
	}

	private void checkDeclaredProfiles(IBaseResource resource, String path, List<SingleValidationMessage> out) {
		List<? extends org.hl7.fhir.instance.model.api.IPrimitiveType<String>> declared = resource.getMeta()
			.getProfile();
		for (int j = 0; j < declared.size(); j++) {
			String url = declared.get(j).getValue();
			if (url != null && !isKnownProfile(url)) {
				out.add(message(ResultSeverityEnum.ERROR, path + ".meta.profile[" + j + "]",
						I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN, "Unknown profile '" + url
								+ "' in meta.profile: it is neither a HemeFHIR profile nor a FHIR R4 core definition"));
			}
		}
	}

	/**
	 * Adds each entry's inferred profile to its meta.profile in the JSON text, so the
	 * bundle is validated in one pass with every entry against its own profile. Works on
	 * the JSON tree, not on the parsed model, so that content the parser would drop is
	 * still validated as sent.
	 */
	private String withEntryProfiles(String json, Bundle bundle, Map<Integer, String> entryProfiles) {
		JsonObject root = JsonParser.parseString(json).getAsJsonObject();
		JsonArray entries = root.has("entry") && root.get("entry").isJsonArray() ? root.getAsJsonArray("entry")
				: new JsonArray();
		boolean changed = false;
		for (int i = 0; i < bundle.getEntry().size() && i < entries.size(); i++) {
			Resource entryResource = bundle.getEntry().get(i).getResource();
			JsonElement entryJson = entries.get(i);
			if (entryResource == null || !entryJson.isJsonObject() || !entryJson.getAsJsonObject().has("resource")) {
				continue;
			}
			String declared = firstHemeFhirProfile(entryResource);
			if (declared != null) {
				entryProfiles.put(i, declared);
				continue;
			}
			Optional<String> inferred = inference.inferProfile(entryResource);
			if (inferred.isEmpty()) {
				continue;
			}
			JsonObject resourceJson = entryJson.getAsJsonObject().getAsJsonObject("resource");
			JsonObject meta = resourceJson.has("meta") ? resourceJson.getAsJsonObject("meta") : new JsonObject();
			JsonArray profile = meta.has("profile") ? meta.getAsJsonArray("profile") : new JsonArray();
			profile.add(inferred.get());
			meta.add("profile", profile);
			resourceJson.add("meta", meta);
			entryProfiles.put(i, inferred.get());
			changed = true;
		}
		return changed ? root.toString() : json;
	}

	/** Same as {@link #validate(IBaseResource, String)}, as an R4 OperationOutcome. */
	public OperationOutcome validateToOperationOutcome(IBaseResource resource, String explicitProfileUrl) {
		return toOperationOutcome(validate(resource, explicitProfileUrl));
	}

	/**
	 * One issue per message: severity, code, FHIRPath {@code expression} (and
	 * {@code location}), text.
	 */
	/**
	 * Decimals the database cannot hold ({@link DecimalRange}) as error messages with
	 * this id: part of every validation, and the one check the server applies in every
	 * validation mode.
	 */
	List<SingleValidationMessage> decimalsOutOfRange(IBaseResource resource) {
		return DecimalRange.check(ctx, resource)
			.stream()
			.map(problem -> message(ResultSeverityEnum.ERROR, problem.path(), DECIMAL_OUT_OF_RANGE, problem.message()))
			.toList();
	}

	public static OperationOutcome toOperationOutcome(ValidationResult result) {
		OperationOutcome outcome = new OperationOutcome();
		for (SingleValidationMessage m : result.getMessages()) {
			OperationOutcome.OperationOutcomeIssueComponent issue = outcome.addIssue();
			issue.setSeverity(switch (m.getSeverity()) {
				case FATAL -> OperationOutcome.IssueSeverity.FATAL;
				case ERROR -> OperationOutcome.IssueSeverity.ERROR;
				case WARNING -> OperationOutcome.IssueSeverity.WARNING;
				default -> OperationOutcome.IssueSeverity.INFORMATION;
			});
			issue.setCode(m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal()
					? OperationOutcome.IssueType.PROCESSING : OperationOutcome.IssueType.INFORMATIONAL);
			issue.setDiagnostics(m.getMessage());
			issue.getDetails().setText(m.getMessage());
			if (m.getLocationString() != null) {
				issue.addExpression(m.getLocationString());
				issue.getLocation().add(new StringType(m.getLocationString()));
			}
		}
		if (!outcome.hasIssue()) {
			outcome.addIssue()
				.setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
				.setCode(OperationOutcome.IssueType.INFORMATIONAL)
				.setDiagnostics("No issues detected during validation");
		}
		return outcome;
	}

	/**
	 * The HemeFHIR profile the resource is validated against: the one it declares, else
	 * the inferred one.
	 */
	public Optional<String> profileOf(IBaseResource resource) {
		String declared = firstHemeFhirProfile(resource);
		return declared != null ? Optional.of(declared) : inference.inferProfile(resource);
	}

	/**
	 * The HemeFHIR profile a resource without meta.profile would be validated against.
	 */
	public Optional<String> inferProfile(IBaseResource resource) {
		return inference.inferProfile(resource);
	}

	/** True for HemeFHIR profiles and FHIR R4 core StructureDefinitions. */
	public boolean isKnownProfile(String url) {
		return url != null && worker.fetchResource(org.hl7.fhir.r5.model.StructureDefinition.class, url) != null;
	}

	/** Canonical URLs of the HemeFHIR resource profiles (not extensions). */
	public Set<String> profileUrls() {
		return Set.copyOf(profileUrls);
	}

	InstanceValidatorPool poolForTests() {
		return validators;
	}

	public IgPackage igPackage() {
		return ig;
	}

	/**
	 * The cached support chain (core + IG + in-memory terminology), e.g. for a server's
	 * validation support.
	 */
	public IValidationSupport validationSupport() {
		return support;
	}

	public FhirContext fhirContext() {
		return ctx;
	}

	/**
	 * Prepares everything a first request would otherwise pay for: snapshots, value set
	 * expansions, an InstanceValidator, and one validation of every packaged example.
	 */
	public void warmUp() {
		ValidationSupportContext context = new ValidationSupportContext(support);
		for (IBaseResource r : ig.conformance()) {
			if (r instanceof ValueSet vs) {
				support.expandValueSet(context, new ValueSetExpansionOptions(), vs);
			}
		}
		for (String url : profileUrls) {
			worker.fetchResource(org.hl7.fhir.r5.model.StructureDefinition.class, url);
		}
		for (IBaseResource example : ig.examples()) {
			validate(example);
		}
	}

	private InstanceValidator newInstanceValidator() {
		InstanceValidator v = new InstanceValidator(worker, new FhirInstanceValidator.NullEvaluationContext(),
				new XVerExtensionManagerOld(worker), new ValidatorSession(), new ValidatorSettings());
		v.setAssumeValidRestReferences(false);
		// Best-practice rules (dom-6 narrative, 'observations should have a performer')
		// are ignored: lab
		// results from EHRs rarely carry either, and the warnings drowned the real
		// issues.
		v.setBestPracticeWarningLevel(BestPracticeWarningLevel.Ignore);
		v.setAnyExtensionsAllowed(true);
		v.setResourceIdRule(IdStatus.OPTIONAL);
		v.setNoTerminologyChecks(false);
		v.setErrorForUnknownProfiles(true);
		v.setUnknownCodeSystemsCauseErrors(false);
		v.setPolicyAdvisor(new BudgetCheckingPolicyAdvisor());
		v.setNoExtensibleWarnings(false);
		v.setNoBindingMsgSuppressed(false);
		v.setAllowExamples(true);
		v.setAllowXsiLocation(true);
		return v;
	}

	private static boolean declaresHemeFhirProfile(IBaseResource resource) {
		return firstHemeFhirProfile(resource) != null;
	}

	private static String firstHemeFhirProfile(IBaseResource resource) {
		for (var profile : resource.getMeta().getProfile()) {
			String url = profile.getValue();
			if (url != null && url.startsWith(HemeFhirIg.STRUCTURE_DEFINITION_BASE)) {
				return url;
			}
		}
		return null;
	}

	/**
	 * Messages HAPI's own ValidatorWrapper also drops: bindings without a value set, the
	 * mimetypes value set.
	 */
	private static boolean isNoise(ValidationMessage m) {
		String id = m.getMessageId();
		return id != null && (id.equals(I18nConstants.TERMINOLOGY_TX_BINDING_NOSOURCE)
				|| (id.equals(I18nConstants.TERMINOLOGY_TX_VALUESET_NOTFOUND)
						&& m.getMessage().contains("http://hl7.org/fhir/ValueSet/mimetypes")));
	}

	/**
	 * The HL7 validator occasionally reports its own failure (a null dereference while
	 * checking a binding it has no code system for) as a message; say that plainly
	 * instead of passing Java text on.
	 */
	static String readable(String message) {
		if (message != null && message.contains("Cannot invoke")) {
			return "This code could not be checked against its binding: the code system is not available on this server";
		}
		return message;
	}

	/**
	 * "Bundle.entry[0].resource/*Observation/x*&#47;.code" ->
	 * "Bundle.entry[0].resource.code".
	 */
	static String cleanLocation(String location) {
		return location == null ? null : LOCATION_COMMENT.matcher(location).replaceAll("");
	}

	private static SingleValidationMessage message(ResultSeverityEnum severity, String location, String id,
			String text) {
		SingleValidationMessage m = new SingleValidationMessage();
		m.setSeverity(severity);
		m.setLocationString(location);
		m.setMessageId(id);
		m.setMessage(text);
		return m;
	}

}
