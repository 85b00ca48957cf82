package org.hemefhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link in the repository's Markdown resolves: the file exists, and a
 * heading matches its anchor.
 */
class DocumentationTest {

	private static final Path REPOSITORY = Path.of("").toAbsolutePath();

	private static final Set<String> NOT_OURS = Set.of("target", "node_modules", ".git", ".cifuzz-corpus", ".mvn");

	private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\)");

	private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

	@Test
	void everyRelativeLinkInTheRepositoryResolves() throws IOException {
		List<Path> markdown = markdownFiles(REPOSITORY);
		assertThat(markdown).contains(REPOSITORY.resolve("README.md"), REPOSITORY.resolve("docs/architecture.md"));
		List<String> broken = new ArrayList<>();
		for (Path file : markdown) {
			broken.addAll(brokenLinks(file));
		}
		assertThat(broken).as("broken links").isEmpty();
	}

	@Test
	void theReadmeStaysShort() throws IOException {
		assertThat(Files.readAllLines(REPOSITORY.resolve("README.md"))).hasSizeLessThanOrEqualTo(150);
	}

	@Test
	void aMissingFileAMissingAnchorAndAPathOutOfTheRepositoryAreReported(@TempDir Path dir) throws IOException {
		Files.writeString(dir.resolve("other.md"), "# Quick start: two commands\n");
		Files.writeString(dir.resolve("README.md"), """
				[ok](other.md#quick-start-two-commands) [web](https://hl7.org/fhir/) [self](#top)
				# Top
				[gone](docs/missing.md) [anchor](other.md#quick-start) [out](../shared/case/letter.txt)
				```
				[in code](nowhere.md)
				```
				""");
		assertThat(brokenLinks(dir, dir.resolve("README.md"))).containsExactly(
				"README.md:3: docs/missing.md (no such file)",
				"README.md:3: other.md#quick-start (no heading with that anchor)",
				"README.md:3: ../shared/case/letter.txt (outside the repository)");
	}

	private static List<Path> markdownFiles(Path root) throws IOException {
		try (Stream<Path> files = Files.walk(root)) {
			return files.filter(p -> p.toString().endsWith(".md"))
				.filter(p -> root.relativize(p).toString().isEmpty()
						|| !NOT_OURS.contains(root.relativize(p).getName(0).toString()))
				.sorted()
				.toList();
		}
	}

	private static List<String> brokenLinks(Path file) throws IOException {
		return brokenLinks(REPOSITORY, file);
	}

	static List<String> brokenLinks(Path root, Path file) throws IOException {
		List<String> broken = new ArrayList<>();
		List<String> lines = Files.readAllLines(file);
		boolean inCode = false;
		for (int i = 0; i < lines.size(); i++) {
			String line = lines.get(i);
			if (line.strip().startsWith("```")) {
				inCode = !inCode;
				continue;
			}
			if (inCode) {
				continue;
			}
			Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", ""));
			while (m.find()) {
				String problem = problem(root, file, m.group(1));
				if (problem != null) {
					broken.add(root.relativize(file) + ":" + (i + 1) + ": " + m.group(1) + " (" + problem + ")");
				}
			}
		}
		return broken;
	}

	private static String problem(Path root, Path file, String link) throws IOException {
		if (link.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
			return null;
		}
		int hash = link.indexOf('#');
		String path = hash < 0 ? link : link.substring(0, hash);
		String anchor = hash < 0 ? null : link.substring(hash + 1);
		Path target = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
		if (!target.startsWith(root)) {
			return "outside the repository";
		}
		if (!Files.exists(target)) {
			return "no such file";
		}
		if (anchor != null && target.toString().endsWith(".md") && !anchors(target).contains(anchor)) {
			return "no heading with that anchor";
		}
		return null;
	}

	/**
	 * GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens,
	 * repeats numbered.
	 */
	private static List<String> anchors(Path file) throws IOException {
		List<String> anchors = new ArrayList<>();
		boolean inCode = false;
		for (String line : Files.readAllLines(file)) {
			if (line.strip().startsWith("```")) {
				inCode = !inCode;
			}
			Matcher m = HEADING.matcher(line);
			if (!inCode && m.matches()) {
				String slug = m.group(1)
					.toLowerCase(Locale.ROOT)
					.replaceAll("[^\\p{L}\\p{N} _-]", "")
					.replace(' ', '-');
				String unique = slug;
				for (int n = 1; anchors.contains(unique); n++) {
					unique = slug + "-" + n;
				}
				anchors.add(unique);
			}
		}
		return anchors;
	}

}
