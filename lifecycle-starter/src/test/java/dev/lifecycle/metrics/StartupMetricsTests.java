package dev.lifecycle.metrics;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.lifecycle.probes.StartupCheck;
import dev.lifecycle.warmup.WarmupTask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The meters an operator reads about start-up: the startup checks still pending and how
 * the warm-up ended, read as a registry reads them, without any probe being asked.
 */
class StartupMetricsTests {

	private ConfigurableApplicationContext context;

	@AfterEach
	void close() {
		if (this.context != null) {
			this.context.getBean(StartupApplication.class).gate.countDown();
			this.context.close();
		}
	}

	@Test
	void pendingStartupChecksCountDownToZeroWithoutAProbeAsking() {
		this.context = start("--cache-preload=true");
		AtomicBoolean preloaded = this.context.getBean(StartupApplication.class).preloaded;
		MeterRegistry registry = this.context.getBean(MeterRegistry.class);
		assertThat(pendingChecks(registry)).isEqualTo(1);
		preloaded.set(true);
		assertThat(pendingChecks(registry)).isZero();
		preloaded.set(false);
		assertThat(pendingChecks(registry)).as("start-up is complete for good").isZero();
		assertThat(registry.get("lifecycle.startup.time").timeGauge().value(TimeUnit.MILLISECONDS)).isPositive();
	}

	@Test
	void aWarmupStoppedByItsBudgetSaysTimedOut() {
		this.context = start("--lifecycle.warmup.enabled=true", "--lifecycle.warmup.paths=/hello",
				"--gated-task=true", "--lifecycle.warmup.timeout=3s", "--lifecycle.warmup.settle-window=1s");
		MeterRegistry registry = this.context.getBean(MeterRegistry.class);
		assertThat(warmupOutcome(registry, "timed_out")).as("while it runs").isZero();
		assertThat(pendingChecks(registry)).as("the warm-up holds start-up").isEqualTo(1);
		await().atMost(Duration.ofSeconds(20)).until(() -> warmupOutcome(registry, "timed_out") == 1);
		assertThat(warmupOutcome(registry, "completed")).isZero();
		assertThat(warmupOutcome(registry, "cancelled")).isZero();
		assertThat(pendingChecks(registry)).isZero();
	}

	@Test
	void aWarmupThatRanEverythingSaysCompleted() {
		// Its fixed number of iterations, rather than until the JIT settled.
		this.context = start("--lifecycle.warmup.enabled=true", "--lifecycle.warmup.paths=/hello",
				"--lifecycle.warmup.until=iterations", "--lifecycle.warmup.iterations=100");
		MeterRegistry registry = this.context.getBean(MeterRegistry.class);
		await().atMost(Duration.ofSeconds(20)).until(() -> warmupOutcome(registry, "completed") == 1);
		assertThat(warmupOutcome(registry, "timed_out")).isZero();
	}

	@Test
	void withoutStartupChecksThereIsNothingPendingToPublish() {
		this.context = start();
		assertThat(this.context.getBean(MeterRegistry.class).find("lifecycle.startup.checks.pending").gauge()).isNull();
	}

	private static double pendingChecks(MeterRegistry registry) {
		return registry.get("lifecycle.startup.checks.pending").gauge().value();
	}

	private static double warmupOutcome(MeterRegistry registry, String outcome) {
		return registry.get("lifecycle.warmup.outcome").tag("outcome", outcome).gauge().value();
	}

	private static ConfigurableApplicationContext start(String... args) {
		String[] all = new String[args.length + 1];
		all[0] = "--server.port=0";
		System.arraycopy(args, 0, all, 1, args.length);
		return new SpringApplication(StartupApplication.class).run(all);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@RestController
	static class StartupApplication {

		final AtomicBoolean preloaded = new AtomicBoolean();

		final CountDownLatch gate = new CountDownLatch(1);

		@GetMapping("/hello")
		String hello() {
			return "hello";
		}

		@Bean
		@ConditionalOnBooleanProperty("cache-preload")
		StartupCheck cachePreload() {
			return this.preloaded::get;
		}

		@Bean
		@ConditionalOnBooleanProperty("gated-task")
		WarmupTask gatedTask() {
			return () -> this.gate.await(30, TimeUnit.SECONDS);
		}

	}

}
