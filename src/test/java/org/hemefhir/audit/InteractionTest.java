package org.hemefhir.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Requests named from method and path, as the AuditEvent's subtype and action. */
class InteractionTest {

	@ParameterizedTest
	@CsvSource(delimiter = ';', nullValues = "-", textBlock = """
			GET;    /fhir/Patient/1;                   read;             R; Patient; 1; -
			GET;    /fhir/Patient/1/_history/2;        vread;            R; Patient; 1; -
			GET;    /fhir/Patient/1/_history;          history-instance; R; Patient; 1; -
			GET;    /fhir/Observation;                 search-type;      E; Observation; -; -
			POST;   /fhir/Observation/_search;         search-type;      E; Observation; -; -
			GET;    /fhir;                             search-system;    E; -; -; -
			POST;   /fhir;                             transaction;      E; -; -; -
			POST;   /fhir/Observation;                 create;           C; Observation; -; -
			PUT;    /fhir/Observation;                 update;           U; Observation; -; -
			PUT;    /fhir/Observation/5;               update;           U; Observation; 5; -
			PATCH;  /fhir/Observation/5;               patch;            U; Observation; 5; -
			DELETE; /fhir/Observation/5;               delete;           D; Observation; 5; -
			GET;    /fhir/$export;                     operation;        E; -; -; $export
			POST;   /fhir/Patient/%24validate;         operation;        E; Patient; -; $validate
			GET;    /fhir/Patient/7/$everything;       operation;        E; Patient; 7; $everything
			GET;    /fhir/Patient/7/Observation;       search-type;      E; Patient; 7; -
			GET;    /fhir/metadata;                    capabilities;     E; -; -; -
			POST;   /hl7v2;                            -;                E; -; -; -
			""")
	void namesTheInteraction(String method, String path, String code, String action, String type, String id,
			String operation) {
		Interaction interaction = Interaction.classify(method, path);
		assertThat(interaction.code()).isEqualTo(code);
		assertThat(interaction.action()).isEqualTo(action);
		assertThat(interaction.resourceType()).isEqualTo(type);
		assertThat(interaction.id()).isEqualTo(id);
		assertThat(interaction.operation()).isEqualTo(operation);
	}

	@ParameterizedTest
	@CsvSource(delimiter = ';', nullValues = "-", textBlock = """
			/fhir/Patient/7;             -;                                  7
			/fhir/Observation;           patient=Patient%2F8&code=x;         8
			/fhir/Observation;           subject=9,10;                       9|10
			/fhir/Observation;           subject=Group/3;                    -
			/fhir/Patient;               _id=11;                             11
			/fhir/Observation;           code=http://loinc.org|751-8;        -
			""")
	void findsThePatientsTheRequestNames(String path, String query, String patients) {
		assertThat(String.join("|", Interaction.classify("GET", path).patients(query)))
			.isEqualTo(patients == null ? "" : patients);
	}

}
