package org.hemefhir.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.junit.jupiter.api.Test;

class DocumentLimitsTest {

	private static final BodyLimits SMALL = new BodyLimits(10, 50);

	@Test
	void everySampleBundleIsWithinTheDefaultLimits() throws Exception {
		try (Stream<Path> files = Files.walk(Path.of("sample-bundles"))) {
			for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
				assertThat(DocumentLimits.checkJson(Files.readAllBytes(file), BodyLimits.DEFAULT)).as(file.toString())
					.isEmpty();
			}
		}
	}

	@Test
	void depthIsLocatedAtTheContainerThatGoesTooDeep() {
		String json = "{\"resourceType\":\"Observation\",\"extension\":[" + "{\"extension\":[".repeat(5)
				+ "]}".repeat(5) + "]}";
		var violation = DocumentLimits.checkJson(json, new BodyLimits(8, 1000)).orElseThrow();
		assertThat(violation.type()).isEqualTo(IssueType.TOOCOSTLY);
		assertThat(violation.status()).isEqualTo(400);
		assertThat(violation.expression()).isEqualTo("Observation.extension[0].extension[0].extension[0].extension[0]");
		assertThat(violation.message()).contains("8 levels");
	}

	@Test
	void valuesAreCountedAndLocated() {
		StringBuilder json = new StringBuilder("{\"resourceType\":\"Patient\",\"name\":[");
		for (int i = 0; i < 60; i++) {
			json.append(i == 0 ? "" : ",").append("{\"family\":\"x\"}");
		}
		json.append("]}");
		var violation = DocumentLimits.checkJson(json.toString(), SMALL).orElseThrow();
		assertThat(violation.expression()).startsWith("Patient.name[");
		assertThat(violation.message()).contains("50 values");
	}

	@Test
	void costlyDecimalIsAValueErrorAtItsPath() {
		var violation = DocumentLimits
			.checkJson("{\"resourceType\":\"Bundle\",\"entry\":[{},{\"resource\":{\"resourceType\":\"Observation\","
					+ "\"valueQuantity\":{\"value\":1e-99999}}}]}", BodyLimits.DEFAULT)
			.orElseThrow();
		assertThat(violation.status()).isEqualTo(422);
		assertThat(violation.expression()).isEqualTo("Bundle.entry[1].resource.valueQuantity.value");
	}

	@Test
	void malformedJsonIsLeftToTheParser() {
		assertThat(DocumentLimits.checkJson("{\"resourceType\":", SMALL)).isEmpty();
		assertThat(DocumentLimits.checkJson("not json", SMALL)).isEmpty();
	}

	@Test
	void xmlDepthAndCountAreChecked() {
		String deep = "<Observation xmlns=\"http://hl7.org/fhir\">" + "<extension url=\"u\">".repeat(12)
				+ "</extension>".repeat(12) + "</Observation>";
		var violation = DocumentLimits.checkXml(deep.getBytes(StandardCharsets.UTF_8), SMALL).orElseThrow();
		assertThat(violation.expression()).startsWith("Observation.extension.extension");
		StringBuilder wide = new StringBuilder("<Patient xmlns=\"http://hl7.org/fhir\">");
		for (int i = 0; i < 30; i++) {
			wide.append("<name><family value=\"x\"/></name>");
		}
		violation = DocumentLimits
			.checkXml(wide.append("</Patient>").toString().getBytes(StandardCharsets.UTF_8), SMALL)
			.orElseThrow();
		assertThat(violation.expression()).matches("Patient\\.name\\[\\d+](\\.family)?");
	}

	@Test
	void xmlWithinLimitsPasses() {
		assertThat(DocumentLimits.checkXml("<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"true\"/></Patient>"
			.getBytes(StandardCharsets.UTF_8), SMALL)).isEmpty();
	}

}
