package dev.lifecycle.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark scripts of {@code bench/} run for minutes, so here they are only checked by
 * shellcheck, by their help and by how they refuse bad usage (before starting anything).
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
		assertThat(help.output()).contains("quiet-aot", "--java25 PATH", "JAVA25_HOME", "--rounds N", "--name NAME");
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

}
