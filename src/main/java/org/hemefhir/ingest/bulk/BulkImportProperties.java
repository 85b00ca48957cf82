package org.hemefhir.ingest.bulk;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * FHIR Bulk Data {@code $import}: the server fetches NDJSON files from URLs a client
 * names, so it fetches only from the sources listed here.
 *
 * @param enabled serve {@code $import} and {@code $import-poll-status}; false removes
 * both operations from the server
 * @param allowedUrlPrefixes the only places files are fetched from, each an
 * {@code http(s)://host[:port]/path} prefix (e.g.
 * {@code https://files.example.org/registry/}); a URL is accepted when its scheme, host
 * and port are a prefix's and its path lies under the prefix's path. Empty (the default):
 * {@code $import} is refused as not configured, because any URL would let a client make
 * the server call hosts on its own network (SSRF)
 * @param maxInputs files one kick-off may name; a registry export has one per resource
 * type, a few dozen at most
 * @param batchSize resources stored in one database transaction (one work chunk of the
 * import job); HAPI's default of 800 stays under the 1,000 bind parameters some databases
 * allow per statement, and a chunk is also cut at 2 MB of NDJSON
 */
@ConfigurationProperties(prefix = "hemefhir.bulk-import")
public record BulkImportProperties(@DefaultValue("true") boolean enabled, @DefaultValue( {
	}) List<String> allowedUrlPrefixes, @DefaultValue("100") int maxInputs, @DefaultValue("800") int batchSize){
}
