package dev.lifecycle.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark scripts of {@code bench/} run for minutes, so here they are checked by
 * shellcheck, by their help and by how they refuse bad usage (before starting anything), and the
 * rollout matrix runs once on a stub replica that starts in a blink.
 */
class BenchScriptsTests {

	@Test
	void areShellcheckClean() throws Exception {
		ExternalCommand.assumeInstalled("shellcheck");
		List<String> command = new ArrayList<>(List.of("shellcheck"));
		try (Stream<Path> scripts = Files.list(ExternalCommand.REPOSITORY.resolve("bench"))) {
			scripts.map((script) -> script.getFileName().toString())
				.filter((name) -> name.endsWith(".sh"))
				.sorted()
				.forEach((name) -> command.add("bench/" + name));
		}
		assertThat(command).contains("bench/lib.sh", "bench/rollout.sh", "bench/warmup.sh");
		ExternalCommand shellcheck = ExternalCommand.run(command.toArray(String[]::new));
		assertThat(shellcheck.exitCode()).as(shellcheck.output()).isZero();
	}

	@Test
	void rolloutHelpNamesTheAotScenarioAndItsOptions() throws Exception {
		ExternalCommand help = ExternalCommand.run("bash", "bench/rollout.sh", "--help");
		assertThat(help.exitCode()).isZero();
		assertThat(help.output()).contains("quiet-aot", "--java25 PATH", "JAVA25_HOME", "--rounds N", "--name NAME",
				"--ready-timeout S", "--results-dir DIR", "--client-args", "--path PATH");
	}

	@Test
	void rolloutRefusesAReadyTimeoutOfZero() throws Exception {
		ExternalCommand timeout = ExternalCommand.run("bash", "bench/rollout.sh", "--ready-timeout", "0");
		assertThat(timeout.exitCode()).isEqualTo(2);
		assertThat(timeout.output()).contains("--ready-timeout is a positive number of seconds");
	}

	@Test
	void rolloutMatrixGoesOnWhenAReplicaNeverBecomesReadyAndWritesEveryRun(@TempDir Path work) throws Exception {
		for (String tool : List.of("haproxy", "wrk", "hey", "curl")) {
			ExternalCommand.assumeInstalled(tool);
		}
		Path launches = work.resolve("launches");
		// One old replica and one new per run: launch 2 is the first run's new replica.
		ExternalCommand rollout = stubRollout(work, "--scenarios", "lifecycle,quiet", "--path", "/chunked", "--app-args",
				"--stub.launch-file=" + launches + " --stub.never-ready-launch=2");
		assertThat(rollout.exitCode()).as(rollout.output()).isEqualTo(1);
		assertThat(rollout.output()).contains("1 of 2 run(s) failed");
		assertThat(Files.readString(launches).trim()).isEqualTo("4");
		String table = Files.readString(work.resolve("results/matrix.md"));
		assertThat(table).containsPattern("\\| lifecycle defaults \\(delay 5 s\\) \\| L4 \\(tcp\\) \\| low \\| 1 s \\| failed: "
				+ "the replica on port \\d+ was not ready after 15 s .*\\| not ready after \\d+\\.\\d s \\| – \\|");
		assertThat(table).containsPattern("\\| lifecycle, quiet period 1 s \\(min-delay 3 s\\) \\| L4 \\(tcp\\) \\| low \\| 1 s \\| done \\| "
				+ "\\d+ \\| \\d+ / \\d+ \\| \\d+ / \\d+ \\| 0 / 0 \\|");
		assertThat(table).contains("- lifecycle defaults (delay 5 s), L4 (tcp), low traffic, lag 1 s: Run failed: the replica on port")
			.containsPattern("- lifecycle, quiet period 1 s \\(min-delay 3 s\\), L4 \\(tcp\\), low traffic, lag 1 s: Verdict: lost \\d+ of \\d+ requests "
					+ "\\(timestamped client \\d+ of [1-9]\\d*, wrk \\d+ of \\d+, hey \\d+ of \\d+\\).*framed by chunked [1-9]");
	}

	@Test
	void rolloutFailsTheRunWhenTheTimestampedClientCrashes(@TempDir Path work) throws Exception {
		for (String tool : List.of("haproxy", "wrk", "hey", "curl")) {
			ExternalCommand.assumeInstalled(tool);
		}
		ExternalCommand rollout = stubRollout(work, "--scenarios", "lifecycle", "--client-args", "--no-such-option 1");
		assertThat(rollout.exitCode()).as(rollout.output()).isEqualTo(1);
		assertThat(Files.readString(work.resolve("results/matrix.md")))
			.contains("| failed: the timestamped client exited with 1: ")
			.contains("unknown option(s) [no-such-option]");
	}

	/**
	 * bench/rollout.sh on {@link StubReplica}: one old and one new replica per run, at low traffic
	 * behind L4, on ports of its own (a benchmark may run beside the build), results in WORK. The
	 * ready timeout leaves a loaded CI machine time to start the stub's JVM.
	 */
	private static ExternalCommand stubRollout(Path work, String... options) throws Exception {
		List<String> command = new ArrayList<>(List.of("bash", "bench/rollout.sh", "--jar", stubReplicaJar(work).toString(),
				"--levels", "low", "--topologies", "l4", "--lags", "1", "--replicas", "1", "--slow-path", "none",
				"--ready-timeout", "15", "--base-port", "23000", "--results-dir", work.resolve("results").toString(),
				"--work-dir", work.resolve("runs").toString(), "--no-chart", "--name", "matrix", "--client-classpath",
				RolloutClientTests.libraries()));
		command.addAll(List.of(options));
		Process process = new ProcessBuilder(command).directory(ExternalCommand.REPOSITORY.toFile())
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(180, TimeUnit.SECONDS)).as(output).isTrue();
		return new ExternalCommand(process.exitValue(), output);
	}

	@Test
	void rolloutRefusesAnUnknownScenarioAndZeroRounds() throws Exception {
		ExternalCommand scenario = ExternalCommand.run("bash", "bench/rollout.sh", "--scenarios", "quiet,quiet-cold");
		assertThat(scenario.exitCode()).isEqualTo(2);
		assertThat(scenario.output()).contains("unknown scenario quiet-cold");
		ExternalCommand rounds = ExternalCommand.run("bash", "bench/rollout.sh", "--rounds", "0");
		assertThat(rounds.exitCode()).isEqualTo(2);
		assertThat(rounds.output()).contains("--rounds is a positive number");
	}

	@Test
	void warmupHelpNamesTheJava25Option() throws Exception {
		ExternalCommand help = ExternalCommand.run("bash", "bench/warmup.sh", "--help");
		assertThat(help.exitCode()).isZero();
		assertThat(help.output()).contains("--java25 PATH", "JAVA25_HOME", "j25-aot");
	}

	@Test
	void overheadHelpNamesBothBootLinesAndRefusesAnotherLine() throws Exception {
		ExternalCommand help = ExternalCommand.run("bash", "bench/overhead.sh", "--help");
		assertThat(help.exitCode()).isZero();
		assertThat(help.output()).contains("--lines 4,3", "sample-app-boot3", "Boot 3.5");
		ExternalCommand line = ExternalCommand.run("bash", "bench/overhead.sh", "--lines", "4,2");
		assertThat(line.exitCode()).isEqualTo(2);
		assertThat(line.output()).contains("unknown Boot line 2: 4 or 3");
	}

	@Test
	void backgroundWorkHelpNamesItsSetUpsAndRefusesZeroRounds() throws Exception {
		ExternalCommand help = ExternalCommand.run("bash", "bench/background-work.sh", "--help");
		assertThat(help.exitCode()).isZero();
		assertThat(help.output()).contains("plain", "starter-k8s", "starter-long", "--rounds N");
		ExternalCommand rounds = ExternalCommand.run("bash", "bench/background-work.sh", "--rounds", "0");
		assertThat(rounds.exitCode()).isEqualTo(2);
		assertThat(rounds.output()).contains("--rounds must be a whole number of 1 or more");
	}

	@Test
	void consumersHelpNamesItsSetUpsAndBrokersAndRefusesBadUsage() throws Exception {
		ExternalCommand help = ExternalCommand.run("bash", "bench/consumers.sh", "--help");
		assertThat(help.exitCode()).isZero();
		assertThat(help.output()).contains("plain", "starter", "kafka", "rabbitmq", "--rate N", "--grace SECONDS",
				"Processed twice");
		ExternalCommand broker = ExternalCommand.run("bash", "bench/consumers.sh", "--brokers", "kafka pulsar");
		assertThat(broker.exitCode()).isEqualTo(2);
		assertThat(broker.output()).contains("unknown broker pulsar");
		ExternalCommand rate = ExternalCommand.run("bash", "bench/consumers.sh", "--rate", "0");
		assertThat(rate.exitCode()).isEqualTo(2);
		assertThat(rate.output()).contains("--rate must be a whole number of 1 or more");
	}

	/** A runnable jar of {@link StubReplica}, from this module's test classes. */
	private static Path stubReplicaJar(Path directory) throws IOException {
		String entry = StubReplica.class.getName().replace('.', '/') + ".class";
		Manifest manifest = new Manifest();
		manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
		manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, StubReplica.class.getName());
		Path jar = directory.resolve("stub-replica.jar");
		try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
				var classFile = StubReplica.class.getClassLoader().getResourceAsStream(entry)) {
			out.putNextEntry(new JarEntry(entry));
			classFile.transferTo(out);
			out.closeEntry();
		}
		return jar;
	}

}
