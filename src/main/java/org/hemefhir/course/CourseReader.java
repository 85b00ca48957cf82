package org.hemefhir.course;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AdverseEvent;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.ResearchSubject;
import org.hl7.fhir.r4.model.Specimen;
import org.springframework.stereotype.Component;

/**
 * Reads the resources of one patient's course through the DAOs (so the usual interceptors
 * apply).
 */
@Component
class CourseReader {

	private final DaoRegistry daos;

	CourseReader(DaoRegistry daos) {
		this.daos = daos;
	}

	/**
	 * The course of {@code Patient/[id]}; 404 when the patient does not exist, 410 when
	 * deleted.
	 */
	PatientCourse read(IdType patientId, RequestDetails request) {
		Patient patient = (Patient) daos.getResourceDao("Patient")
			.read(new IdType("Patient", patientId.getIdPart()), request);
		String ref = PatientCourse.ref(patient);
		return new PatientCourse(ref, search(Observation.class, "subject", ref, request),
				search(Procedure.class, "subject", ref, request), search(CarePlan.class, "subject", ref, request),
				search(MedicationAdministration.class, "subject", ref, request),
				search(AdverseEvent.class, "subject", ref, request), search(Condition.class, "subject", ref, request),
				search(Specimen.class, "subject", ref, request),
				search(ResearchSubject.class, "individual", ref, request));
	}

	private <T extends IBaseResource> List<T> search(Class<T> type, String param, String patient,
			RequestDetails request) {
		SearchParameterMap map = SearchParameterMap.newSynchronous(param, new ReferenceParam(patient));
		return daos.getResourceDao(type).searchForResources(map, request).stream().map(type::cast).toList();
	}

}
