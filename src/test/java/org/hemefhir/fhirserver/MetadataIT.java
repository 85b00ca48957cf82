package org.hemefhir.fhirserver;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

import org.hemefhir.FhirIntegrationTest;
import org.junit.jupiter.api.Test;

/** What the server says about itself: CapabilityStatement and health. */
class MetadataIT extends FhirIntegrationTest {

	@Test
	void capabilityStatementListsTypesInteractionsSearchParametersAndOperations() {
		fhir().get("/metadata")
			.then()
			.statusCode(200)
			.body("resourceType", equalTo("CapabilityStatement"))
			.body("fhirVersion", equalTo("4.0.1"))
			.body("rest[0].resource.type",
					hasItems("Patient", "Observation", "Procedure", "AdverseEvent", "MedicationAdministration"))
			.body("rest[0].resource.find { it.type == 'Observation' }.interaction.code",
					hasItems("read", "vread", "create", "update", "delete", "search-type", "history-instance"))
			.body("rest[0].resource.find { it.type == 'Observation' }.searchParam.name",
					hasItems("code", "patient", "date", "value-quantity"))
			.body("rest[0].resource.find { it.type == 'Patient' }.operation.name",
					hasItems("everything", "outcomes", "treatment-timeline", "export"))
			.body("rest[0].resource.find { it.type == 'Group' }.operation.name", hasItem("export"))
			.body("rest[0].operation.name", hasItem("export"))
			.body("rest[0].interaction.code", hasItems("transaction", "batch", "history-system"));
	}

	@Test
	void healthIsUpWithTheDatabase() {
		given().basePath("/")
			.get("/actuator/health")
			.then()
			.statusCode(200)
			.body("status", equalTo("UP"))
			.body("components.db.status", equalTo("UP"));
	}

}
