package dev.lifecycle.sample;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads {@code sample-app/Dockerfile} (no image can be built in the test) and checks that
 * the JDK AOT cache trained at build time is the one the image starts with: the cache is
 * only used by the same JVM on the same class path, otherwise the JVM warns and ignores it.
 */
class DockerfileTests {

	private static final Pattern JAR = Pattern.compile("-jar\\s+(\\S+)");

	private static List<Stage> stages;

	@BeforeAll
	static void parse() throws Exception {
		String text = Files.readString(ExternalCommand.REPOSITORY.resolve("sample-app/Dockerfile"))
			.replaceAll("\\\\\\n", " ");
		Map<String, String> args = new HashMap<>();
		stages = new ArrayList<>();
		for (String line : text.lines().map(String::strip).filter((line) -> !line.isEmpty() && !line.startsWith("#")).toList()) {
			String[] words = line.split("\\s+", 2);
			String instruction = words[0].toUpperCase();
			String rest = (words.length > 1) ? words[1] : "";
			if (instruction.equals("ARG") && stages.isEmpty() && rest.contains("=")) {
				args.put(rest.substring(0, rest.indexOf('=')), rest.substring(rest.indexOf('=') + 1));
			}
			else if (instruction.equals("FROM")) {
				String[] from = rest.split("\\s+(?i:as)\\s+");
				String base = from[0];
				for (Map.Entry<String, String> arg : args.entrySet()) {
					base = base.replace("${" + arg.getKey() + "}", arg.getValue()).replace("$" + arg.getKey(), arg.getValue());
				}
				stages.add(new Stage((from.length > 1) ? from[1] : null, base, new ArrayList<>()));
			}
			else if (!stages.isEmpty()) {
				stages.get(stages.size() - 1).instructions().add(instruction + " " + rest);
			}
		}
	}

	@Test
	void trainingAndImageRunOnTheSameJava25Image() {
		Stage training = training();
		Stage image = stages.get(stages.size() - 1);
		assertThat(baseImage(image)).as("the image's JVM is the training run's").isEqualTo(baseImage(training));
		assertThat(baseImage(training)).as("JDK AOT cache with -XX:AOTCacheOutput needs Java 25").matches(".+:25([-.].*)?");
	}

	@Test
	void theImageStartsTheTrainedJarFromTheTrainedPlaceWithTheCacheTheTrainingWrote() throws Exception {
		Stage training = training();
		String trainingRun = training.instructions().stream().filter((line) -> line.contains("-XX:AOTCacheOutput="))
			.findFirst().orElseThrow();
		assertThat(trainingRun).contains("-Dspring.context.exit=onRefresh");
		String cache = value(trainingRun, "-XX:AOTCacheOutput=");
		String jar = jar(trainingRun);

		Stage image = stages.get(stages.size() - 1);
		List<String> entrypoint = new ObjectMapper().readValue(
				last(effectiveInstructions(image), "ENTRYPOINT").substring("ENTRYPOINT ".length()),
				new TypeReference<List<String>>() {
				});
		assertThat(entrypoint).as("exec form, java as PID 1").first().isEqualTo("java");
		assertThat(entrypoint).as("the cache the training run wrote").contains("-XX:AOTCache=" + cache);
		assertThat(entrypoint).as("the jar the training run started").containsSequence("-jar", jar);
		assertThat(last(effectiveInstructions(image), "WORKDIR")).as("the same directory, so the same class path")
			.isEqualTo(last(training.instructions(), "WORKDIR"));
		assertThat(effectiveInstructions(image)).as("the same files, copied the same way")
			.containsAll(training.instructions().stream().filter((line) -> line.startsWith("COPY ")).toList());
	}

	@Test
	void theTrainedJarIsTheExtractedApplicationJarWithItsLibrariesBeside() {
		String extract = stages.stream().flatMap((stage) -> stage.instructions().stream())
			.filter((line) -> line.contains("-Djarmode=tools") && line.contains(" extract ")).findFirst().orElseThrow();
		assertThat(extract).as("a class path of jars: JarLauncher's directories cannot be cached")
			.doesNotContain("--launcher");
		String trainingRun = training().instructions().stream().filter((line) -> line.contains("-XX:AOTCacheOutput="))
			.findFirst().orElseThrow();
		// The extracted application jar keeps the uber jar's name and finds lib/ beside it.
		assertThat(jar(trainingRun)).isEqualTo(jar(extract));
		assertThat(training().instructions()).anyMatch((line) -> line.matches("COPY --from=\\S+ \\S+/application/ \\./"));
	}

	private static Stage training() {
		return stages.stream().filter((stage) -> stage.instructions().stream().anyMatch((line) -> line.contains("-XX:AOTCacheOutput=")))
			.findFirst().orElseThrow(() -> new AssertionError("no stage runs -XX:AOTCacheOutput"));
	}

	/** The image a stage finally builds on, through the stages it is built from. */
	private static String baseImage(Stage stage) {
		return parent(stage).map(DockerfileTests::baseImage).orElse(stage.from());
	}

	private static List<String> effectiveInstructions(Stage stage) {
		List<String> instructions = new ArrayList<>(parent(stage).map(DockerfileTests::effectiveInstructions).orElse(List.of()));
		instructions.addAll(stage.instructions());
		return instructions;
	}

	private static Optional<Stage> parent(Stage stage) {
		return stages.stream().filter((candidate) -> stage.from().equals(candidate.name())).findFirst();
	}

	private static String last(List<String> instructions, String instruction) {
		return instructions.stream().filter((line) -> line.startsWith(instruction + " ")).reduce((first, second) -> second)
			.map((line) -> instruction.equals("WORKDIR") ? line.substring("WORKDIR ".length()) : line)
			.orElseThrow(() -> new AssertionError("no " + instruction));
	}

	private static String value(String line, String option) {
		Matcher matcher = Pattern.compile(Pattern.quote(option) + "(\\S+)").matcher(line);
		assertThat(matcher.find()).as(option + " in " + line).isTrue();
		return matcher.group(1);
	}

	private static String jar(String line) {
		Matcher matcher = JAR.matcher(line);
		assertThat(matcher.find()).as("-jar in " + line).isTrue();
		return matcher.group(1);
	}

	private record Stage(String name, String from, List<String> instructions) {
	}

}
