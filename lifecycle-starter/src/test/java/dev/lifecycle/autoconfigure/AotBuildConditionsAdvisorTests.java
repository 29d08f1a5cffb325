package dev.lifecycle.autoconfigure;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;

import dev.lifecycle.probes.StartupState;
import dev.lifecycle.shutdown.InFlightRequests;
import dev.lifecycle.shutdown.NewConnections;
import dev.lifecycle.shutdown.ShutdownBudget;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.warmup.WarmupPhase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * An AOT-processed application has the beans its build-time conditions chose; these tests
 * build such contexts by hand and change the run-time properties.
 */
@ExtendWith(OutputCaptureExtension.class)
class AotBuildConditionsAdvisorTests {

	@Test
	void warmupSwitchedOffAtRunTimeButBuiltInIsWarnedAbout(CapturedOutput output) {
		started(true, Map.of("lifecycle.warmup.enabled", "false"), true, true);
		assertThat(output).contains(
				"The starter's warm-up: off at run time (lifecycle.enabled, lifecycle.warmup.enabled), "
						+ "on when this application was AOT-processed",
				"runs as built, with the warm-up on", "where spring-boot:process-aot runs");
	}

	@Test
	void warmupSwitchedOnAtRunTimeButBuiltWithoutItIsWarnedAbout(CapturedOutput output) {
		started(true, Map.of("lifecycle.warmup.enabled", "true"), true, false);
		assertThat(output).contains("The starter's warm-up: on at run time",
				"off when this application was AOT-processed");
	}

	@Test
	void starterSwitchedOffAtRunTimeButBuiltInIsWarnedAbout(CapturedOutput output) {
		started(true, Map.of("lifecycle.enabled", "false"), true, false);
		assertThat(output).contains("The starter's shutdown sequence: off at run time (lifecycle.enabled)",
				"The starter's probes: off at run time");
	}

	@Test
	void probesSwitchedOnAtRunTimeButBuiltWithoutThemAreWarnedAbout(CapturedOutput output) {
		started(true, Map.of(), false, false);
		assertThat(output).contains("The starter's probes: on at run time");
	}

	@Test
	void runTimeAsBuiltSaysNothing(CapturedOutput output) {
		started(true, Map.of("lifecycle.warmup.enabled", "true"), true, true);
		started(true, Map.of(), true, false);
		assertThat(output).doesNotContain("AOT-processed");
	}

	@Test
	void withoutAotTheConditionsAreEvaluatedAtRunTimeAndThereIsNothingToSay(CapturedOutput output) {
		started(false, Map.of("lifecycle.warmup.enabled", "false"), true, true);
		assertThat(output).doesNotContain("AOT-processed");
	}

	private static void started(boolean aot, Map<String, Object> properties, boolean probesBuiltIn,
			boolean warmupBuiltIn) {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("runtime", properties));
			context.registerBean(ShutdownCoordinator.class,
					() -> new ShutdownCoordinator(mock(ShutdownBudget.class), new InFlightRequests(),
							new NewConnections(), true));
			if (probesBuiltIn) {
				context.registerBean(StartupState.class, () -> new StartupState(Map.of()));
			}
			if (warmupBuiltIn) {
				context.registerBean(WarmupPhase.class, () -> mock(WarmupPhase.class));
			}
			context.refresh();
			new AotBuildConditionsAdvisor(() -> aot).onApplicationEvent(
					new ApplicationStartedEvent(new SpringApplication(), new String[0], context, null));
		}
	}

}
