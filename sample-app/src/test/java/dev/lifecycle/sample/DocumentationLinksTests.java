package dev.lifecycle.sample;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps README.md and docs/ honest: every relative link reaches a file, and every anchor a
 * heading, as GitHub renders them. Reference moved between files must not leave dead links.
 */
class DocumentationLinksTests {

	private static final Path REPOSITORY = ExternalCommand.REPOSITORY;

	/** {@code [text](target)} or {@code ![alt](target)}, with an optional title after the target. */
	private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

	private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)(?:\\s+#+)?\\s*$");

	private static final Pattern INLINE_CODE = Pattern.compile("`+[^`]*`+");

	@Test
	void everyRelativeLinkReachesAFileAndEveryAnchorAHeading() throws IOException {
		List<Path> documents = documents();
		assertThat(documents).as("docs/*.md beside README.md").hasSizeGreaterThan(1);
		List<String> broken = new ArrayList<>();
		for (Path document : documents) {
			broken.addAll(brokenLinks(document));
		}
		assertThat(broken).as("broken links (file:line: link: why)%n%s", String.join("\n", broken)).isEmpty();
	}

	@Test
	void readmeShowsTheTwoCommands() throws IOException {
		String readme = Files.readString(REPOSITORY.resolve("README.md"));
		// .ci/run runs the test command; the run command is the newcomer's first step.
		assertThat(readme).contains("./mvnw -B verify").contains("./mvnw -pl sample-app -am spring-boot:run");
	}

	@Test
	void readmeLinksEveryDocsFile() throws IOException {
		String readme = Files.readString(REPOSITORY.resolve("README.md"));
		List<String> unlinked = documents().stream()
			.filter((document) -> document.getParent().endsWith("docs"))
			.map((document) -> "docs/" + document.getFileName())
			.filter((path) -> !readme.contains("](" + path + ")") && !readme.contains("](" + path + "#"))
			.toList();
		assertThat(unlinked).as("docs files the README's Documentation list does not link").isEmpty();
	}

	@Test
	void anchorsFollowGitHubsSlugRule() {
		assertThat(slug("The `lifecycle` endpoint")).isEqualTo("the-lifecycle-endpoint");
		assertThat(slug("Rolling restart: does anything get lost?")).isEqualTo("rolling-restart-does-anything-get-lost");
		assertThat(slug("Warm-up: the first seconds of a new replica")).isEqualTo("warm-up-the-first-seconds-of-a-new-replica");
		assertThat(slug("Until 0.1.0 is on Maven Central")).isEqualTo("until-010-is-on-maven-central");
	}

	private static List<Path> documents() throws IOException {
		List<Path> documents = new ArrayList<>();
		documents.add(REPOSITORY.resolve("README.md"));
		try (Stream<Path> docs = Files.list(REPOSITORY.resolve("docs"))) {
			docs.filter((path) -> path.toString().endsWith(".md")).sorted().forEach(documents::add);
		}
		return documents;
	}

	private static List<String> brokenLinks(Path document) throws IOException {
		List<String> broken = new ArrayList<>();
		List<String> lines = Files.readAllLines(document);
		boolean fenced = false;
		for (int i = 0; i < lines.size(); i++) {
			String line = lines.get(i);
			if (line.trim().startsWith("```")) {
				fenced = !fenced;
				continue;
			}
			if (fenced) {
				continue;
			}
			// Brackets inside code spans (paths[0], JSON) are not links; link text may hold code.
			Matcher link = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
			while (link.find()) {
				String problem = problem(document, link.group(1));
				if (problem != null) {
					broken.add(REPOSITORY.relativize(document) + ":" + (i + 1) + ": " + link.group() + ": " + problem);
				}
			}
		}
		return broken;
	}

	/** Why the target cannot be followed on GitHub, or {@code null} when it can. */
	private static String problem(Path document, String target) throws IOException {
		if (target.startsWith("http://") || target.startsWith("https://") || target.startsWith("mailto:")) {
			return null;
		}
		int hash = target.indexOf('#');
		String path = (hash < 0) ? target : target.substring(0, hash);
		String anchor = (hash < 0) ? null : URLDecoder.decode(target.substring(hash + 1), StandardCharsets.UTF_8);
		Path file = path.isEmpty() ? document : document.getParent().resolve(path).normalize();
		if (!file.startsWith(REPOSITORY)) {
			return "points outside the repository";
		}
		if (!Files.exists(file)) {
			return "no file " + REPOSITORY.relativize(file);
		}
		if (anchor == null || !file.toString().endsWith(".md")) {
			return null;
		}
		Set<String> anchors = anchors(file);
		return anchors.contains(anchor) ? null
				: "no heading with anchor #" + anchor + " in " + REPOSITORY.relativize(file) + " (anchors: " + anchors + ")";
	}

	/** The anchors GitHub gives the headings of a Markdown file, duplicates numbered -1, -2, … */
	static Set<String> anchors(Path file) throws IOException {
		Set<String> anchors = new LinkedHashSet<>();
		Map<String, Integer> seen = new HashMap<>();
		boolean fenced = false;
		for (String line : Files.readAllLines(file)) {
			if (line.trim().startsWith("```")) {
				fenced = !fenced;
				continue;
			}
			Matcher heading = HEADING.matcher(line);
			if (!fenced && heading.matches()) {
				String slug = slug(heading.group(1));
				int count = seen.merge(slug, 1, Integer::sum);
				anchors.add((count == 1) ? slug : slug + "-" + (count - 1));
			}
		}
		return anchors;
	}

	/** GitHub's rule: link text only, lowercase, punctuation dropped but hyphens, spaces become hyphens. */
	static String slug(String heading) {
		String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
		return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_ -]", "").replace(' ', '-');
	}

}
