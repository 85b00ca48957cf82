package org.hemefhir.cli;

import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.r5.model.Bundle;
import org.hl7.fhir.r5.model.CanonicalResource;
import org.hl7.fhir.r5.model.CapabilityStatement;
import org.hl7.fhir.r5.model.CodeableConcept;
import org.hl7.fhir.r5.model.Coding;
import org.hl7.fhir.r5.model.OperationOutcome;
import org.hl7.fhir.r5.model.Parameters;
import org.hl7.fhir.r5.model.Resource;
import org.hl7.fhir.r5.model.TerminologyCapabilities;
import org.hl7.fhir.r5.model.ValueSet;
import org.hl7.fhir.r5.terminologies.client.ITerminologyClient;
import org.hl7.fhir.r5.terminologies.client.TerminologyClientManager;
import org.hl7.fhir.r5.utils.client.network.ClientHeaders;
import org.hl7.fhir.utilities.FhirPublication;
import org.hl7.fhir.utilities.ToolingClientLogger;
import org.hl7.fhir.utilities.http.HTTPHeader;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The terminology server the cross-check gives the HL7 engine, in process and offline.
 * The engine never decides codes of LOINC, SNOMED CT, ICD-10-CM etc. itself (it sends
 * them to a terminology server by design), and it cannot decide codes of systems it does
 * not hold (ATC, NCIt, MedDRA).
 *
 * <p>
 * This service knows no code system. It answers {@code ValueSet/$validate-code} only for
 * extensional value sets — every include names a system and lists its concepts, no
 * filters, no imported value sets — by the FHIR rule for such a compose: a coding is a
 * member when an include of its system lists its code and no exclude does. Everything
 * else (a code system's own codes, value sets it cannot enumerate) it answers as "system
 * unknown", so the engine reports what it could not check the way it does without a
 * server. Written from the FHIR specification, not from HemeFHIR's validator, so the two
 * sides of the cross-check stay independent.
 */
final class ExtensionalTerminologyService implements ITerminologyClient {

	static final String ADDRESS = "https://extensional-tx.invalid/fhir";

	/**
	 * The factory the engine asks for further servers: with the ecosystem off it never
	 * should.
	 */
	static final TerminologyClientManager.ITerminologyClientFactory NO_OTHER_SERVERS = new TerminologyClientManager.ITerminologyClientFactory() {
		@Override
		public ITerminologyClient makeClient(String id, String url, String userAgent, ToolingClientLogger logger) {
			throw new FHIRException("the cross-check has one terminology service; asked for " + url);
		}

		@Override
		public String getVersion() {
			return "4.0.1";
		}
	};

	private EnumSet<FhirPublication> allowedVersions = EnumSet.of(FhirPublication.R4);

	private ToolingClientLogger logger;

	private int useCount;

	@Override
	public Parameters validateVS(Parameters request) {
		useCount++;
		ValueSet valueSet = request.hasParameter("valueSet") ? (ValueSet) request.getParameter("valueSet").getResource()
				: null;
		List<Coding> codings = codings(request);
		if (valueSet == null || !isExtensional(valueSet)) {
			return unknownSystem(codings, "the value set " + (valueSet == null ? "(by URL only)" : valueSet.getUrl())
					+ " is not extensional; this service checks enumerated value sets only");
		}
		for (Coding coding : codings) {
			if (listed(valueSet.getCompose().getInclude(), coding)
					&& !listed(valueSet.getCompose().getExclude(), coding)) {
				Parameters response = new Parameters();
				response.addParameter("result", true);
				response.addParameter("system", coding.getSystem());
				response.addParameter("code", coding.getCode());
				return response;
			}
		}
		Parameters response = new Parameters();
		response.addParameter("result", false);
		response.addParameter("message",
				codings.stream().map(c -> "'" + c.getSystem() + "#" + c.getCode() + "'").toList()
						+ " not in the value set " + valueSet.getUrl());
		return response;
	}

	@Override
	public Parameters validateCS(Parameters request) {
		useCount++;
		return unknownSystem(codings(request), "this service holds no code system");
	}

	private static boolean isExtensional(ValueSet valueSet) {
		List<ValueSet.ConceptSetComponent> parts = new ArrayList<>(valueSet.getCompose().getInclude());
		parts.addAll(valueSet.getCompose().getExclude());
		return !valueSet.getCompose().getInclude().isEmpty()
				&& parts.stream().allMatch(p -> p.hasSystem() && p.hasConcept() && !p.hasFilter() && !p.hasValueSet());
	}

	private static boolean listed(List<ValueSet.ConceptSetComponent> parts, Coding coding) {
		return parts.stream()
			.filter(p -> Objects.equals(p.getSystem(), coding.getSystem()))
			.flatMap(p -> p.getConcept().stream())
			.anyMatch(c -> c.getCode().equals(coding.getCode()));
	}

	private static List<Coding> codings(Parameters request) {
		if (request.hasParameter("coding")) {
			return List.of((Coding) request.getParameter("coding").getValue());
		}
		if (request.hasParameter("codeableConcept")) {
			return ((CodeableConcept) request.getParameter("codeableConcept").getValue()).getCoding();
		}
		Coding coding = new Coding();
		if (request.hasParameter("system")) {
			coding.setSystem(request.getParameter("system").getValue().primitiveValue());
		}
		if (request.hasParameter("code")) {
			coding.setCode(request.getParameter("code").getValue().primitiveValue());
		}
		return List.of(coding);
	}

	private static Parameters unknownSystem(List<Coding> codings, String why) {
		Parameters response = new Parameters();
		response.addParameter("result", false);
		response.addParameter("message", why);
		codings.stream()
			.map(Coding::getSystem)
			.filter(Objects::nonNull)
			.distinct()
			.forEach(system -> response.addParameter("x-caused-by-unknown-system", system));
		return response;
	}

	@Override
	public CapabilityStatement getCapabilitiesStatement() {
		CapabilityStatement statement = new CapabilityStatement();
		statement.getSoftware().setName("cross-check extensional value set service").setVersion("1");
		return statement;
	}

	@Override
	public CapabilityStatement getCapabilitiesStatementQuick() {
		return getCapabilitiesStatement();
	}

	@Override
	public TerminologyCapabilities getTerminologyCapabilities() {
		return new TerminologyCapabilities();
	}

	@Override
	public ValueSet expandValueset(ValueSet vs, Parameters p) {
		throw new FHIRException("this service does not expand value sets");
	}

	@Override
	public Parameters batchValidateCS(Parameters pin) {
		throw new FHIRException("batch validation not supported");
	}

	@Override
	public Parameters batchValidateVS(Parameters pin) {
		throw new FHIRException("batch validation not supported");
	}

	@Override
	public Parameters subsumes(Parameters pin) {
		throw new FHIRException("subsumption not supported");
	}

	@Override
	public Parameters lookupCode(Map<String, String> params) {
		throw new FHIRException("lookup not supported");
	}

	@Override
	public Parameters lookupCode(Parameters params) {
		throw new FHIRException("lookup not supported");
	}

	@Override
	public Parameters translate(Parameters params) {
		throw new FHIRException("translation not supported");
	}

	@Override
	public Bundle batch(Bundle batch) {
		throw new FHIRException("batch not supported");
	}

	@Override
	public CanonicalResource read(String type, String id) {
		return null;
	}

	@Override
	public Bundle search(String type, String criteria) {
		return new Bundle();
	}

	@Override
	public OperationOutcome validateResource(Resource vs) {
		return new OperationOutcome();
	}

	@Override
	public EnumSet<FhirPublication> supportableVersions() {
		return EnumSet.of(FhirPublication.R4, FhirPublication.R5);
	}

	@Override
	public void setAllowedVersions(EnumSet<FhirPublication> versions) {
		allowedVersions = versions;
	}

	@Override
	public EnumSet<FhirPublication> getAllowedVersions() {
		return allowedVersions;
	}

	@Override
	public FhirPublication getActualVersion() {
		return FhirPublication.R4;
	}

	@Override
	public String getId() {
		return "extensional-tx";
	}

	@Override
	public String getAddress() {
		return ADDRESS;
	}

	@Override
	public String getServerVersion() {
		return "1";
	}

	@Override
	public ITerminologyClient setTimeoutFactor(int i) {
		return this;
	}

	@Override
	public ToolingClientLogger getLogger() {
		return logger;
	}

	@Override
	public ITerminologyClient setLogger(ToolingClientLogger txLog) {
		logger = txLog;
		return this;
	}

	@Override
	public int getRetryCount() {
		return 0;
	}

	@Override
	public ITerminologyClient setRetryCount(int retryCount) {
		return this;
	}

	@Override
	public Iterable<HTTPHeader> getClientHeaders() {
		return List.of();
	}

	@Override
	public ITerminologyClient setClientHeaders(ClientHeaders clientHeaders) {
		return this;
	}

	@Override
	public ITerminologyClient setUserAgent(String userAgent) {
		return this;
	}

	@Override
	public ITerminologyClient setAcceptLanguage(String lang) {
		return this;
	}

	@Override
	public ITerminologyClient setContentLanguage(String lang) {
		return this;
	}

	@Override
	public String getUserAgent() {
		return "hemefhir-cross-check";
	}

	@Override
	public int getUseCount() {
		return useCount;
	}

	@Override
	public void setConversionLogger(ITerminologyConversionLogger logger) {
		// nothing is converted: the service works on R5 objects the engine hands it
	}

}
