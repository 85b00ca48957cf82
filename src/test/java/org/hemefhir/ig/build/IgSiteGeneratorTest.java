package org.hemefhir.ig.build;

import ca.uhn.fhir.context.FhirContext;
import org.hemefhir.validation.IgPackage;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The profile pages, generated from the package on the classpath. */
class IgSiteGeneratorTest {

	private static final FhirContext CTX = FhirContext.forR4Cached();

	private static final IgPackage IG = IgPackage.fromClasspath(CTX);

	@TempDir
	Path site;

	@Test
	void onePagePerDefinitionWithEveryExampleBesideThem() throws IOException {
		new IgSiteGenerator(CTX, IG).write(site, new byte[] { 1, 2, 3 });

		String index = Files.readString(site.resolve("index.html"));
		for (IBaseResource r : IG.conformance()) {
			String page = r instanceof StructureDefinition sd ? IgSiteGenerator.href(sd)
					: r instanceof ValueSet vs ? IgSiteGenerator.href(vs)
							: r instanceof org.hl7.fhir.r4.model.CodeSystem cs ? IgSiteGenerator.href(cs) : null;
			if (page != null) {
				assertThat(site.resolve(page)).exists();
				assertThat(index).contains("href=\"" + page + "\"");
			}
		}
		for (IBaseResource example : IG.examples()) {
			Path json = site
				.resolve("examples/" + example.fhirType() + "-" + example.getIdElement().getIdPart() + ".json");
			assertThat(CTX.newJsonParser().parseResource(Files.readString(json)).fhirType())
				.isEqualTo(example.fhirType());
		}
		assertThat(site.resolve(IG.name() + "-" + IG.version() + ".tgz")).hasBinaryContent(new byte[] { 1, 2, 3 });
	}

	@Test
	void profilePageShowsElementsCardinalitiesBindingsWithCodesConstraintsExtensionsAndExamples() throws IOException {
		new IgSiteGenerator(CTX, IG).write(site, new byte[0]);

		String mrd = Files.readString(site.resolve("StructureDefinition-hemefhir-mrd.html"));

		assertThat(mrd).contains("<code>Observation.specimen</code>");
		assertThat(mrd).containsPattern("<code>Observation.specimen</code>.*?</td><td>1\\.\\.1</td>");
		assertThat(mrd).contains("<b>required</b> <a href=\"ValueSet-mrd-code.html\">mrd-code</a>");
		assertThat(mrd).contains("<code>67128-9</code>");
		assertThat(mrd).contains("<b>hf-mrd-1</b>");
		assertThat(mrd).contains("<a href=\"StructureDefinition-treatment-day.html\">treatment-day</a>");
		assertThat(mrd).contains("href=\"examples/Observation-example-mrd-bm-day32.json\"");
		String treatmentDay = Files.readString(site.resolve("StructureDefinition-treatment-day.html"));
		assertThat(treatmentDay).contains("Used by profiles").contains("StructureDefinition-hemefhir-mrd.html");
		String valueSet = Files.readString(site.resolve("ValueSet-mrd-code.html"));
		assertThat(valueSet).contains("http://loinc.org").contains("<code>67128-9</code>");
	}

	@Test
	void textFromDefinitionsIsEscaped() throws IOException {
		List<IBaseResource> conformance = new ArrayList<>(IG.conformance());
		StructureDefinition hostile = (StructureDefinition) conformance.stream()
			.filter(r -> r instanceof StructureDefinition sd && sd.getUrl().endsWith("hemefhir-patient"))
			.findFirst()
			.orElseThrow();
		hostile = hostile.copy();
		hostile.setTitle("Patient <script>alert(1)</script>");
		hostile.setDescription("\"><img src=x onerror=alert(1)> & more");
		hostile.getSnapshot().getElementFirstRep().setShort("<b>bold</b>");
		conformance.replaceAll(
				r -> r instanceof StructureDefinition sd && sd.getUrl().endsWith("hemefhir-patient") ? null : r);
		conformance.removeIf(java.util.Objects::isNull);
		conformance.add(hostile);
		hostile.setStatus(Enumerations.PublicationStatus.DRAFT);

		new IgSiteGenerator(CTX, new IgPackage(IG.name(), IG.version(), conformance, IG.examples())).write(site,
				new byte[0]);

		String page = Files.readString(site.resolve("StructureDefinition-hemefhir-patient.html"));
		String index = Files.readString(site.resolve("index.html"));
		assertThat(page + index).doesNotContain("<script>").doesNotContain("<img").doesNotContain("<b>bold</b>");
		assertThat(page).contains("Patient &lt;script&gt;alert(1)&lt;/script&gt;")
			.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; more");
	}

}
