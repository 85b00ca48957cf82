package org.hemefhir.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logging of the jar's commands that run without Spring (validate, generate, migrate).
 */
public final class CommandLogging {

	private CommandLogging() {
	}

	/**
	 * Without Spring Boot's logging setup, logback would print HAPI's INFO and DEBUG
	 * lines to stdout, into the report. Warnings and errors go to stderr instead.
	 */
	public static void quiet() {
		if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
			return;
		}
		context.reset();
		PatternLayoutEncoder encoder = new PatternLayoutEncoder();
		encoder.setContext(context);
		encoder.setPattern("%level %logger{0}: %msg%n");
		encoder.start();
		ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
		console.setContext(context);
		console.setTarget("System.err");
		console.setEncoder(encoder);
		console.start();
		ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
		root.setLevel(Level.WARN);
		root.addAppender(console);
		// HAPI's own core definitions trip the lenient parser ("Unknown element
		// 'author'") at load time
		context.getLogger("ca.uhn.fhir.parser.LenientErrorHandler").setLevel(Level.ERROR);
	}

}
