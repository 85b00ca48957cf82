package org.hemefhir.system;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.model.entity.ResourceSearchUrlEntityPK;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.util.UrlUtil;
import java.util.List;
import org.hemefhir.fhirserver.FhirServerCustomizer;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.springframework.stereotype.Component;

/**
 * HAPI keeps the criteria of every conditional create/update (to stop two concurrent ones
 * from both creating) in a column of
 * {@value ResourceSearchUrlEntityPK#RES_SEARCH_URL_LENGTH} characters. Longer criteria,
 * e.g. an identifier value of some thousand characters, would fail in the database with
 * SQL in the answer; they are refused up front, naming the header or bundle entry.
 */
@Component
@Interceptor
class ConditionalCriteriaGuard implements FhirServerCustomizer {

	static final int MAX = ResourceSearchUrlEntityPK.RES_SEARCH_URL_LENGTH;

	@Override
	public void customize(RestfulServer server) {
		server.registerInterceptor(this);
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void checkRequest(RequestDetails request) {
		String type = request.getResourceName();
		if (type == null) {
			return;
		}
		String ifNoneExist = request.getHeader(Constants.HEADER_IF_NONE_EXIST);
		if (ifNoneExist != null) {
			check(type, ifNoneExist, "the If-None-Exist header");
		}
		boolean conditional = request.getId() == null && request.getCompleteUrl() != null
				&& request.getCompleteUrl().contains("?");
		if (conditional && (request.getRequestType() == RequestTypeEnum.PUT
				|| request.getRequestType() == RequestTypeEnum.PATCH)) {
			check(type, request.getCompleteUrl().substring(request.getCompleteUrl().indexOf('?') + 1),
					"the conditional URL");
		}
	}

	@Hook(Pointcut.STORAGE_TRANSACTION_PROCESSING)
	public void checkBundle(IBaseBundle bundle) {
		if (!(bundle instanceof Bundle r4)) {
			return;
		}
		List<Bundle.BundleEntryComponent> entries = r4.getEntry();
		for (int i = 0; i < entries.size(); i++) {
			Bundle.BundleEntryRequestComponent request = entries.get(i).getRequest();
			String type = entries.get(i).getResource() != null ? entries.get(i).getResource().fhirType() : null;
			if (request.hasIfNoneExist() && type != null) {
				check(type, stripType(request.getIfNoneExist()), "Bundle.entry[" + i + "].request.ifNoneExist");
			}
			String url = request.getUrl();
			boolean conditionalWrite = request.getMethod() == Bundle.HTTPVerb.PUT
					|| request.getMethod() == Bundle.HTTPVerb.PATCH;
			if (url != null && url.contains("?") && conditionalWrite) {
				check(url.substring(0, url.indexOf('?')), url.substring(url.indexOf('?') + 1),
						"Bundle.entry[" + i + "].request.url");
			}
		}
	}

	/** Length as HAPI stores it: "Type?name=escaped-value&...". */
	static int storedLength(String type, String criteria) {
		int length = type.length() + 1;
		for (String part : criteria.split("&")) {
			int equals = part.indexOf('=');
			length += equals < 0 ? part.length()
					: equals + 1 + UrlUtil.escapeUrlParam(UrlUtil.unescape(part.substring(equals + 1))).length();
			length += 1;
		}
		return length - 1;
	}

	private static void check(String type, String criteria, String where) {
		int length;
		try {
			length = storedLength(type, criteria);
		}
		catch (IllegalArgumentException e) {
			String message = "The conditional criteria in " + where + " are not correctly percent-encoded ("
					+ e.getMessage() + "): write '%' as %25";
			throw new InvalidRequestException(message,
					OperationOutcomes.error(IssueType.INVALID, message, where.startsWith("Bundle") ? where : null));
		}
		if (length > MAX) {
			String message = "The conditional criteria in " + where + " are " + length
					+ " characters long once URL-encoded; " + "the server can keep at most " + MAX
					+ ": use a shorter identifier or fewer criteria";
			throw new InvalidRequestException(message,
					OperationOutcomes.error(IssueType.TOOLONG, message, where.startsWith("Bundle") ? where : null));
		}
	}

	private static String stripType(String ifNoneExist) {
		int question = ifNoneExist.indexOf('?');
		return question >= 0 ? ifNoneExist.substring(question + 1) : ifNoneExist;
	}

}
