package dev.lifecycle.autoconfigure.probes;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import dev.lifecycle.probes.DeadlockedThreads;
import dev.lifecycle.probes.StartupCheck;
import dev.lifecycle.probes.StartupState;

import static org.assertj.core.api.Assertions.assertThat;

class ProbesAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ProbesAutoConfiguration.class));

	@Test
	void providesTheStartupStateAndTheDeadlockCheck() {
		this.contextRunner.withBean("cachePreload", StartupCheck.class, () -> () -> true).run((context) -> {
			assertThat(context).hasSingleBean(StartupState.class);
			assertThat(context).hasSingleBean(DeadlockedThreads.class);
			// Shown to Boot's health groups under the names the probe groups include.
			assertThat(context).hasBean("startupStateHealthIndicator").hasBean("deadlockedThreadsHealthIndicator");
		});
	}

	@Test
	void deadlockCheckCanBeTurnedOff() {
		this.contextRunner.withPropertyValues("lifecycle.probes.liveness.deadlock-check=false")
			.run((context) -> assertThat(context).doesNotHaveBean(DeadlockedThreads.class)
				.doesNotHaveBean("deadlockedThreadsHealthIndicator"));
	}

	@Test
	void backsOffWhenTheStarterOrItsProbesOrBootsProbesAreOff() {
		for (String off : new String[] { "lifecycle.enabled=false", "lifecycle.probes.enabled=false",
				"management.endpoint.health.probes.enabled=false" }) {
			this.contextRunner.withPropertyValues(off)
				.run((context) -> assertThat(context).as(off).doesNotHaveBean(StartupState.class));
		}
	}

	@Test
	void startupStateIsDownUntilTheApplicationIsReady() {
		this.contextRunner.run((context) -> {
			StartupState startup = context.getBean(StartupState.class);
			assertThat(startup.isStarted()).isFalse();
			assertThat(startup.check().details()).containsEntry("waitingFor", "application ready");
		});
	}

}
