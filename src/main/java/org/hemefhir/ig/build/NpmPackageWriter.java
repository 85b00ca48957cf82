package org.hemefhir.ig.build;

import org.hemefhir.validation.HemeFhirIg;
import ca.uhn.fhir.context.FhirContext;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.StructureDefinition;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a FHIR NPM package (package/package.json, package/.index.json, one file per
 * resource).
 */
final class NpmPackageWriter {

	private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

	/** Fixed timestamp keeps the archive reproducible from the same sources. */
	private static final Date ENTRY_TIME = new Date(0);

	private final FhirContext ctx;

	private final String version;

	NpmPackageWriter(FhirContext ctx, String version) {
		this.ctx = ctx;
		this.version = version;
	}

	byte[] write(List<IBaseResource> conformance, List<IBaseResource> examples) throws IOException {
		Map<String, byte[]> files = new TreeMap<>();
		files.put("package/package.json", bytes(GSON.toJson(packageJson())));
		files.put("package/.index.json", bytes(GSON.toJson(index(conformance, files, "package/"))));
		files.put("package/example/.index.json", bytes(GSON.toJson(index(examples, files, "package/example/"))));

		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (GZIPOutputStream gzip = new GZIPOutputStream(out);
				TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
			tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
			for (Map.Entry<String, byte[]> file : files.entrySet()) {
				TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
				entry.setSize(file.getValue().length);
				entry.setModTime(ENTRY_TIME);
				tar.putArchiveEntry(entry);
				tar.write(file.getValue());
				tar.closeArchiveEntry();
			}
		}
		return out.toByteArray();
	}

	private JsonObject packageJson() {
		JsonObject json = new JsonObject();
		json.addProperty("name", HemeFhirIg.PACKAGE_NAME);
		json.addProperty("version", version);
		json.addProperty("tools-version", 3);
		json.addProperty("type", "IG");
		json.addProperty("title", "HemeFHIR Implementation Guide");
		json.addProperty("description",
				"Profiles, extensions, terminology and search parameters for the treatment course of hematologic malignancies (FHIR R4)");
		json.addProperty("author", "HemeFHIR");
		json.addProperty("canonical", HemeFhirIg.CANONICAL_BASE);
		json.addProperty("url", HemeFhirIg.CANONICAL_BASE);
		JsonArray fhirVersions = new JsonArray();
		fhirVersions.add(HemeFhirIg.FHIR_VERSION);
		json.add("fhirVersions", fhirVersions);
		JsonObject dependencies = new JsonObject();
		dependencies.addProperty("hl7.fhir.r4.core", HemeFhirIg.FHIR_VERSION);
		json.add("dependencies", dependencies);
		return json;
	}

	private JsonObject index(List<IBaseResource> resources, Map<String, byte[]> files, String folder) {
		JsonArray entries = new JsonArray();
		for (IBaseResource resource : resources) {
			String type = ctx.getResourceType(resource);
			String id = resource.getIdElement().getIdPart();
			String filename = type + "-" + id + ".json";
			if (files.put(folder + filename,
					bytes(ctx.newJsonParser().setPrettyPrint(true).encodeResourceToString(resource))) != null) {
				throw new IllegalStateException("Two resources would be written to " + folder + filename);
			}
			JsonObject entry = new JsonObject();
			entry.addProperty("filename", filename);
			entry.addProperty("resourceType", type);
			entry.addProperty("id", id);
			if (resource instanceof MetadataResource canonical) {
				entry.addProperty("url", canonical.getUrl());
				entry.addProperty("version", canonical.getVersion());
			}
			if (resource instanceof StructureDefinition sd) {
				entry.addProperty("kind", sd.getKind().toCode());
				entry.addProperty("type", sd.getType());
				entry.addProperty("derivation", sd.getDerivation().toCode());
			}
			if (resource instanceof CodeSystem cs && cs.hasContent()) {
				entry.addProperty("content", cs.getContent().toCode());
			}
			entries.add(entry);
		}
		JsonObject index = new JsonObject();
		index.addProperty("index-version", 1);
		index.add("files", entries);
		return index;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
