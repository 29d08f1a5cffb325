package dev.lifecycle.autoconfigure.probes;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import dev.lifecycle.probes.DeadlockedThreadsHealthIndicator;
import dev.lifecycle.probes.StartupCheck;
import dev.lifecycle.probes.StartupStateHealthIndicator;

import static org.assertj.core.api.Assertions.assertThat;

class ProbesAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ProbesAutoConfiguration.class));

	@Test
	void providesTheStartupStateAndTheDeadlockCheck() {
		this.contextRunner.withBean("cachePreload", StartupCheck.class, () -> () -> true).run((context) -> {
			assertThat(context).hasSingleBean(StartupStateHealthIndicator.class);
			assertThat(context).hasSingleBean(DeadlockedThreadsHealthIndicator.class);
		});
	}

	@Test
	void deadlockCheckCanBeTurnedOff() {
		this.contextRunner.withPropertyValues("lifecycle.probes.liveness.deadlock-check=false")
			.run((context) -> assertThat(context).doesNotHaveBean(DeadlockedThreadsHealthIndicator.class));
	}

	@Test
	void backsOffWhenTheStarterOrItsProbesOrBootsProbesAreOff() {
		for (String off : new String[] { "lifecycle.enabled=false", "lifecycle.probes.enabled=false",
				"management.endpoint.health.probes.enabled=false" }) {
			this.contextRunner.withPropertyValues(off)
				.run((context) -> assertThat(context).as(off).doesNotHaveBean(StartupStateHealthIndicator.class));
		}
	}

	@Test
	void startupStateIsDownUntilTheApplicationIsReady() {
		this.contextRunner.run((context) -> {
			StartupStateHealthIndicator startup = context.getBean(StartupStateHealthIndicator.class);
			assertThat(startup.isStarted()).isFalse();
			assertThat(startup.health().getDetails()).containsEntry("waitingFor", "application ready");
		});
	}

}
