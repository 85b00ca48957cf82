package org.hemefhir.system;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.Constants;
import java.util.regex.Pattern;
import org.hemefhir.fhirserver.FhirServerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;

/**
 * Keeps error responses to what a client can act on: exceptions that HAPI did not
 * classify are logged with an incident id and answered without internals,
 * concurrent-write collisions become 409, and Java class names never appear in a message.
 */
@Component
@Interceptor
class ErrorContractInterceptor implements FhirServerCustomizer {

	private static final Logger log = LoggerFactory.getLogger(ErrorContractInterceptor.class);

	private static final Pattern QUOTED_INPUT = Pattern.compile("input string: \"(.*)\"");

	private static final Pattern VALID_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

	private static final Pattern CLASS_NAME = Pattern.compile(
			"\\b(?:java|javax|jakarta|ca\\.uhn|org\\.hibernate|org\\.springframework|org\\.hl7|com\\.fasterxml|org\\.h2|org\\.postgresql|org\\.hemefhir)(?:\\.[A-Za-z_$][\\w$]*)+(?::\\s*)?");

	/**
	 * Java's own wording of a null dereference, from its start to the end of the message.
	 */
	private static final Pattern NULL_DEREFERENCE = Pattern
		.compile("(?s)Cannot (invoke|read|load|store|assign) .*? because .*$");

	/**
	 * From a JDBC/Hibernate failure text ("could not execute statement [...]", "SQL
	 * [...]") to the end.
	 */
	private static final Pattern DATABASE_DETAIL = Pattern
		.compile("(?is)(could not execute (batch|statement|query)|SQL \\[|SQL statement:|\\binsert into \\w+ \\().*$");

	private final LimitsProperties limits;

	ErrorContractInterceptor(LimitsProperties limits) {
		this.limits = limits;
	}

	@Override
	public void customize(ca.uhn.fhir.rest.server.RestfulServer server) {
		server.registerInterceptor(this);
	}

	/** A malformed id is a bad request, not a resource that happens to be missing. */
	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void checkIdSyntax(RequestDetails request) {
		IIdType id = request.getId();
		if (id != null && id.hasIdPart() && !VALID_ID.matcher(id.getIdPart()).matches()) {
			throw new InvalidRequestException("'" + id.getIdPart()
					+ "' is not a valid FHIR id: 1 to 64 characters of A-Z, a-z, 0-9, '-' and '.'");
		}
	}

	@Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
	public BaseServerResponseException classify(RequestDetails request, Throwable thrown) {
		// Work stopped by the request's budget, or refused for load, may arrive wrapped
		// by HAPI.
		RequestCancelledException cancelled = cause(thrown, RequestCancelledException.class);
		if (cancelled != null) {
			return cancelled;
		}
		ServerBusyException busy = cause(thrown, ServerBusyException.class);
		if (busy != null) {
			return busy;
		}
		RequestBudget budget = RequestBudget.current().orElse(null);
		if (budget != null && (budget.isOver() || cause(thrown, SQLTimeoutException.class) != null
				|| cancelledStatement(thrown))) {
			return budget.exception();
		}
		if (cause(thrown, SQLTransientConnectionException.class) != null) {
			return new ServerBusyException("no database connection became free in time", limits.retryAfter());
		}
		if (staleIfMatch(request, thrown)) {
			return new PreconditionFailedException("If-Match " + request.getHeader(Constants.HEADER_IF_MATCH)
					+ " names a version that is no longer the current one (another write came first); read the"
					+ " resource again and send the change against its current version");
		}
		// before HAPI's own wrapping: it reports these as a 500 ("Failed to call access
		// method")
		Optional<InvalidRequestException> clientInput = clientInputFailure(thrown);
		if (clientInput.isPresent()) {
			return clientInput.get();
		}
		if (thrown instanceof BaseServerResponseException known) {
			return known;
		}
		BaseServerResponseException wrapped = cause(thrown, BaseServerResponseException.class);
		if (wrapped != null) {
			return wrapped;
		}
		DataFormatException badValue = cause(thrown, DataFormatException.class);
		if (badValue != null) {
			return new InvalidRequestException(sanitize(badValue.getMessage()));
		}
		IllegalArgumentException badArgument = cause(thrown, IllegalArgumentException.class);
		if (badArgument != null && thrownWhileReadingParameters(thrown)) {
			return new InvalidRequestException(badParameter(request, badArgument));
		}
		if (cause(thrown, DataIntegrityViolationException.class) != null) {
			return new ResourceVersionConflictException(
					"The write collided with a concurrent write of the same resource or identifier; retry the request");
		}
		String incident = UUID.randomUUID().toString();
		log.error("Unhandled error in {} {} (incident {})", request.getRequestType(), request.getCompleteUrl(),
				incident, thrown);
		return new InternalErrorException("Internal error (incident " + incident + "); nothing was written");
	}

	/**
	 * HAPI answers an update whose If-Match version is not the current one with 409, and
	 * so does the database when two updates of one version race (on one node or two); the
	 * precondition failed either way, and HTTP's answer to that is 412.
	 */
	private static boolean staleIfMatch(RequestDetails request, Throwable thrown) {
		boolean update = request.getRequestType() == RequestTypeEnum.PUT
				|| request.getRequestType() == RequestTypeEnum.PATCH;
		return update && request.getHeader(Constants.HEADER_IF_MATCH) != null
				&& (cause(thrown, ResourceVersionConflictException.class) != null
						|| cause(thrown, DataIntegrityViolationException.class) != null);
	}

	@Hook(Pointcut.SERVER_OUTGOING_FAILURE_OPERATIONOUTCOME)
	public void sanitize(IBaseOperationOutcome outcome) {
		if (outcome instanceof OperationOutcome r4) {
			r4.getIssue().forEach(issue -> issue.setDiagnostics(sanitize(issue.getDiagnostics())));
		}
	}

	/**
	 * $validate answers with an OperationOutcome on success too; it follows the same
	 * rule.
	 */
	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public void sanitizeOutcome(IBaseResource response) {
		if (response instanceof OperationOutcome outcome) {
			sanitize(outcome);
		}
	}

	/**
	 * Removes Java class names, and database statements with everything after them, from
	 * a message meant for a client.
	 */
	static String sanitize(String message) {
		if (message == null) {
			return null;
		}
		String withoutDatabase = DATABASE_DETAIL.matcher(message).replaceAll("(database detail withheld)");
		String withoutJava = NULL_DEREFERENCE.matcher(withoutDatabase).replaceAll("(internal detail withheld)");
		return CLASS_NAME.matcher(withoutJava).replaceAll("");
	}

	/**
	 * SQLState 57014: the database cancelled the statement (PostgreSQL and H2 use it for
	 * timeouts and cancels).
	 */
	private static boolean cancelledStatement(Throwable thrown) {
		for (Throwable t = thrown; t != null; t = t.getCause()) {
			if (t instanceof SQLException sql && "57014".equals(sql.getSQLState())) {
				return true;
			}
		}
		return false;
	}

	/**
	 * HAPI turns request parameters into an operation's typed arguments there; what fails
	 * is the client's value.
	 */
	private static boolean thrownWhileReadingParameters(Throwable thrown) {
		for (Throwable t = thrown; t != null; t = t.getCause()) {
			for (StackTraceElement frame : t.getStackTrace()) {
				if (frame.getMethodName().equals("createMethodParams")
						|| frame.getClassName().endsWith(".OperationParameter")) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * The 400 for an exception that the client's input caused in a library that does not
	 * say so: a parser failing outright on the shape of a body, conditional criteria HAPI
	 * cannot run, a URL with broken percent-encoding. Found by fuzzing; each was a 500
	 * before.
	 */
	static Optional<InvalidRequestException> clientInputFailure(Throwable thrown) {
		if (thrownWhileParsingTheBody(thrown)) {
			// HAPI's parsers answer most malformed content with a 400; some shapes make
			// them fail outright
			return Optional
				.of(new InvalidRequestException("The request body could not be read as a FHIR resource: an element "
						+ "has a shape the parser cannot read (for example an object where a list is expected)"));
		}
		IllegalArgumentException badArgument = cause(thrown, IllegalArgumentException.class);
		if (badArgument != null && thrownBy(badArgument, "ca.uhn.fhir.jpa.searchparam.MatchUrlService")) {
			// MatchUrlService reads conditional criteria (If-None-Exist, conditional
			// update and delete URLs)
			return Optional
				.of(new InvalidRequestException("The conditional criteria are not a search the server can run: "
						+ sanitize(badArgument.getMessage())));
		}
		if (badArgument != null && thrownBy(badArgument, "java.net.URLDecoder")) {
			return Optional.of(new InvalidRequestException("A URL in the request is not correctly percent-encoded ("
					+ badArgument.getMessage() + "); write '%' as %25"));
		}
		return Optional.empty();
	}

	private static boolean thrownWhileParsingTheBody(Throwable thrown) {
		for (Throwable t = thrown; t != null; t = t.getCause()) {
			if (!(t instanceof RuntimeException)) {
				continue;
			}
			for (StackTraceElement frame : t.getStackTrace()) {
				if (frame.getClassName().startsWith("ca.uhn.fhir.parser.")
						&& frame.getMethodName().startsWith("parse")) {
					return true;
				}
			}
		}
		return false;
	}

	private static boolean thrownBy(Throwable thrown, String className) {
		for (StackTraceElement frame : thrown.getStackTrace()) {
			if (frame.getClassName().equals(className)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Names the parameter whose value could not be read, when the message quotes the
	 * value.
	 */
	private static String badParameter(RequestDetails request, IllegalArgumentException problem) {
		Matcher quoted = QUOTED_INPUT.matcher(String.valueOf(problem.getMessage()));
		String value = quoted.find() ? quoted.group(1) : null;
		List<String> names = new ArrayList<>();
		if (value != null && request.getParameters() != null) {
			request.getParameters().forEach((name, values) -> {
				if (Arrays.asList(values).contains(value)) {
					names.add(name);
				}
			});
		}
		String which = names.isEmpty() ? "A parameter" : "Parameter " + String.join(", ", names);
		return which + " has a value of the wrong type" + (value != null ? ": '" + value + "'" : "")
				+ "; see the operation's definition for the parameter types";
	}

	private static <T extends Throwable> T cause(Throwable thrown, Class<T> type) {
		for (Throwable t = thrown; t != null; t = t.getCause()) {
			if (type.isInstance(t)) {
				return type.cast(t);
			}
		}
		return null;
	}

}
