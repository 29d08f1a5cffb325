package dev.lifecycle.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A command-line tool the Kubernetes deliverables are checked with (kubectl, shellcheck). */
record ExternalCommand(int exitCode, String output) {

	/** The repository root: tests run with the module as working directory. */
	static final Path REPOSITORY = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();

	static ExternalCommand run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).directory(REPOSITORY.toFile()).redirectErrorStream(true).start();
		byte[] output = process.getInputStream().readAllBytes();
		if (!process.waitFor(60, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IllegalStateException(String.join(" ", command) + " did not finish within 60 s");
		}
		return new ExternalCommand(process.exitValue(), new String(output, StandardCharsets.UTF_8));
	}

	/** Skips the test, saying why, when the tool is not installed (.ci/run installs it). */
	static void assumeInstalled(String tool) {
		boolean found = List.of(System.getenv().getOrDefault("PATH", "").split(":"))
			.stream()
			.anyMatch((directory) -> Files.isExecutable(Path.of(directory, tool)));
		assumeTrue(found, tool + " is not installed: skipping this check (.ci/run installs it)");
	}

}
