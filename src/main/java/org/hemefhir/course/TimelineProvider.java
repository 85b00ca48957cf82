package org.hemefhir.course;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hemefhir.fhirserver.FhirServerCustomizer;
import org.hemefhir.course.TreatmentTimeline.Event;
import org.hemefhir.course.TreatmentTimeline.Placed;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.springframework.stereotype.Component;

/**
 * {@code Patient/[id]/$treatment-timeline}: the course in date order, as plain JSON a
 * chart can draw ({@code _format=json} or {@code Accept: application/json}) or as a FHIR
 * {@code collection} Bundle of the same resources in the same order (default,
 * {@code application/fhir+json} or XML).
 */
@Component
class TimelineProvider implements FhirServerCustomizer {

	/** Output-only extension on Bundle.entry: where the entry sits on the timeline. */
	static final String POSITION = PatientCourse.SD + "timeline-position";

	private final CourseReader reader;

	private final FhirContext fhirContext;

	private final ObjectMapper json = new ObjectMapper();

	TimelineProvider(CourseReader reader, FhirContext fhirContext) {
		this.reader = reader;
		this.fhirContext = fhirContext;
	}

	@Override
	public void customize(RestfulServer server) {
		server.registerProvider(this);
	}

	@Operation(name = "$treatment-timeline", idempotent = true, typeName = "Patient", manualResponse = true)
	public void timeline(@IdParam IdType patientId, ServletRequestDetails request) throws IOException {
		Format format = Format.of(request.getParameters().get("_format"), request.getHeader("Accept"));
		PatientCourse course = reader.read(patientId, request);
		List<Placed> placed = TreatmentTimeline.place(course);
		HttpServletResponse response = request.getServletResponse();
		response.setStatus(200);
		response.setCharacterEncoding(StandardCharsets.UTF_8.name());
		if (format == Format.PLAIN_JSON) {
			response.setContentType("application/json");
			try (Writer writer = response.getWriter()) {
				json.writerWithDefaultPrettyPrinter().writeValue(writer, TreatmentTimeline.of(course, placed));
			}
			return;
		}
		Bundle bundle = bundle(course, placed);
		IParser parser = format == Format.FHIR_XML ? fhirContext.newXmlParser() : fhirContext.newJsonParser();
		response.setContentType(format == Format.FHIR_XML ? "application/fhir+xml" : "application/fhir+json");
		try (Writer writer = response.getWriter()) {
			parser.setPrettyPrint(true).encodeResourceToWriter(bundle, writer);
		}
	}

	private Bundle bundle(PatientCourse course, List<Placed> placed) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
		bundle.setTotal(placed.size());
		for (Placed p : placed) {
			Event e = p.event();
			Bundle.BundleEntryComponent entry = bundle.addEntry().setFullUrl(e.resource()).setResource(p.resource());
			Extension position = entry.addExtension().setUrl(POSITION);
			position.addExtension("kind", new CodeType(e.kind()));
			position.addExtension("date", new StringType(e.date()));
			if (e.regimen() != null) {
				position.addExtension("regimen",
						new Reference(e.regimen().reference()).setDisplay(e.regimen().label()));
			}
			if (e.regimenDay() != null) {
				position.addExtension("regimen-day", new IntegerType(e.regimenDay()));
			}
			if (e.transplantDay() != null) {
				position.addExtension("transplant-day", new IntegerType(e.transplantDay()));
			}
		}
		return bundle;
	}

	enum Format {

		PLAIN_JSON, FHIR_JSON, FHIR_XML;

		static Format of(String[] formatParam, String accept) {
			if (formatParam != null && formatParam.length > 0) {
				return switch (formatParam[0]) {
					case "json", "application/json" -> PLAIN_JSON;
					case "fhir+json", "application/fhir+json" -> FHIR_JSON;
					case "xml", "application/xml", "fhir+xml", "application/fhir+xml", "text/xml" -> FHIR_XML;
					default -> throw new InvalidRequestException("_format must be json (plain JSON for charts), "
							+ "application/fhir+json or application/fhir+xml (FHIR Bundle), not '" + formatParam[0]
							+ "'");
				};
			}
			if (accept != null && accept.contains("application/json") && !accept.contains("fhir")) {
				return PLAIN_JSON;
			}
			if (accept != null && accept.contains("xml") && !accept.contains("json")) {
				return FHIR_XML;
			}
			return FHIR_JSON;
		}

	}

}
