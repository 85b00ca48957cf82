package org.hemefhir.ingest.bulk;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The places {@code $import} may fetch from
 * ({@code hemefhir.bulk-import.allowed-url-prefixes}). A URL is compared as a URL, not as
 * a string: {@code http://files.test} must not admit {@code http://files.test.evil.org/}
 * or {@code http://files.test@evil.org/}, and {@code /registry/} must not admit
 * {@code /registry/../admin}.
 */
final class ImportSources {

	/**
	 * A dot segment, written out or percent-encoded, or an encoded slash or backslash
	 * that a file server could decode into one, anywhere in the path.
	 */
	private static final Pattern DOT_SEGMENT = Pattern.compile("(^|/)(\\.|%2e){1,2}(/|$)|%2f|%5c|\\\\",
			Pattern.CASE_INSENSITIVE);

	private final List<URI> prefixes = new ArrayList<>();

	ImportSources(List<String> allowedPrefixes) {
		for (String prefix : allowedPrefixes) {
			URI uri = parse(prefix)
				.orElseThrow(() -> new IllegalStateException("hemefhir.bulk-import.allowed-url-prefixes: '" + prefix
						+ "' is not an http(s) URL without user information, query or fragment"));
			if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
				throw new IllegalStateException(
						"hemefhir.bulk-import.allowed-url-prefixes: '" + prefix + "' may not have a query or fragment");
			}
			prefixes.add(uri);
		}
	}

	boolean configured() {
		return !prefixes.isEmpty();
	}

	/** Whether the server may fetch this URL. */
	boolean allows(String url) {
		URI candidate = parse(url).orElse(null);
		if (candidate == null || candidate.getRawFragment() != null) {
			return false;
		}
		return prefixes.stream().anyMatch(prefix -> under(candidate, prefix));
	}

	private static boolean under(URI url, URI prefix) {
		if (!url.getScheme().equalsIgnoreCase(prefix.getScheme()) || !url.getHost().equalsIgnoreCase(prefix.getHost())
				|| port(url) != port(prefix)) {
			return false;
		}
		String base = prefix.getRawPath().isEmpty() ? "/" : prefix.getRawPath();
		String path = url.getRawPath().isEmpty() ? "/" : url.getRawPath();
		if (base.endsWith("/")) {
			return path.startsWith(base);
		}
		return path.equals(base) || path.startsWith(base + "/");
	}

	/**
	 * An absolute http(s) URL with a host, without user information and without dot
	 * segments, or nothing.
	 */
	private static Optional<URI> parse(String text) {
		if (text == null || text.isBlank()) {
			return Optional.empty();
		}
		URI uri;
		try {
			uri = new URI(text.strip());
		}
		catch (URISyntaxException e) {
			return Optional.empty();
		}
		String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
		if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
				|| uri.getRawUserInfo() != null || uri.getRawAuthority().contains("@")
				|| DOT_SEGMENT.matcher(uri.getRawPath() == null ? "" : uri.getRawPath()).find()) {
			return Optional.empty();
		}
		return Optional.of(uri);
	}

	private static int port(URI uri) {
		if (uri.getPort() >= 0) {
			return uri.getPort();
		}
		return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
	}

}
