package dev.lifecycle.warmup;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import dev.lifecycle.autoconfigure.InvalidLifecycleConfigurationException;
import dev.lifecycle.autoconfigure.InvalidLifecycleConfigurationFailureAnalyzer;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownReport.DelayEnd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The warm-up phase against a real Tomcat: what the probes say, what is sent, how it ends. */
@ExtendWith(OutputCaptureExtension.class)
class WarmupTests {

	private final HttpClient client = HttpClient.newHttpClient();

	private ConfigurableApplicationContext context;

	@AfterEach
	void close() {
		if (this.context != null) {
			this.context.getBean(WarmupApplication.class).gate.countDown();
			this.context.close();
		}
	}

	@Test
	void readinessAndStartupStay503ForTheWholeWarmupThenGoUp() throws Exception {
		this.context = start("--lifecycle.warmup.paths=/hello", "--gated-task=true");
		WarmupApplication app = this.context.getBean(WarmupApplication.class);
		await().atMost(Duration.ofSeconds(20)).until(() -> app.taskRuns.get() == 1);
		for (int i = 0; i < 5; i++) {
			assertThat(status("/readyz")).isEqualTo(503);
			assertThat(status("/startupz")).isEqualTo(503);
			assertThat(status("/livez")).isEqualTo(200);
		}
		app.gate.countDown();
		await().atMost(Duration.ofSeconds(20)).until(() -> status("/readyz") == 200);
		assertThat(status("/startupz")).isEqualTo(200);
		assertThat(this.context.getBean(WarmupPhase.class).result().clean()).isTrue();
	}

	@Test
	void requestsGoThroughTheRealPortWithTheMarkerHeaderAndTasksRunOnce(CapturedOutput output) throws Exception {
		this.context = start("--lifecycle.warmup.paths=/hello,HEAD /hello", "--lifecycle.warmup.iterations=3",
				"--counting-task=true");
		await().atMost(Duration.ofSeconds(20)).until(() -> status("/readyz") == 200);
		WarmupApplication app = this.context.getBean(WarmupApplication.class);
		assertThat(app.warmupHeaders).hasSize(6).containsOnly("true");
		assertThat(app.taskRuns).hasValue(1);
		WarmupResult result = this.context.getBean(WarmupPhase.class).result();
		assertThat(result.requests()).isEqualTo(6);
		assertThat(result.failedRequests()).isZero();
		assertThat(output).contains("Warm-up complete in", "6 requests (0 failed), 1 tasks (0 failed)");
	}

	@Test
	void failingWarmupRequestsStillLetTheApplicationBecomeReadyWithOneWarning(CapturedOutput output)
			throws Exception {
		this.context = start("--lifecycle.warmup.paths=/broken", "--lifecycle.warmup.iterations=4");
		await().atMost(Duration.ofSeconds(20)).until(() -> status("/readyz") == 200);
		assertThat(this.context.getBean(WarmupPhase.class).result().failedRequests()).isEqualTo(4);
		assertThat(output.getOut().lines().filter((line) -> line.contains("Warm-up complete")))
			.singleElement(InstanceOfAssertFactories.STRING)
			.contains("WARN", "4 requests (4 failed)", "ready anyway, with failures");
	}

	@Test
	void whenTheBudgetRunsOutTheApplicationBecomesReadyAnyway(CapturedOutput output) throws Exception {
		this.context = start("--lifecycle.warmup.paths=/hello", "--gated-task=true",
				"--lifecycle.warmup.timeout=500ms");
		await().atMost(Duration.ofSeconds(20)).until(() -> status("/readyz") == 200);
		assertThat(this.context.getBean(WarmupPhase.class).result().outcome())
			.isEqualTo(WarmupResult.Outcome.TIMED_OUT);
		assertThat(output).contains("Warm-up stopped by its budget after", "ready anyway, partly warm");
	}

	@Test
	void shutdownDuringWarmupCancelsItPromptlyAndReadinessNeverGoesUp() throws Exception {
		this.context = start("--lifecycle.warmup.paths=/hello", "--gated-task=true", "--lifecycle.shutdown.delay=3s");
		WarmupApplication app = this.context.getBean(WarmupApplication.class);
		WarmupPhase phase = this.context.getBean(WarmupPhase.class);
		await().atMost(Duration.ofSeconds(20)).until(() -> app.taskRuns.get() == 1);
		assertThat(status("/readyz")).as("the kubelet was told: not ready").isEqualTo(503);
		ShutdownCoordinator coordinator = this.context.getBean(ShutdownCoordinator.class);
		assertThat(closeContext()).as("the 3 s delay was skipped").isLessThan(Duration.ofSeconds(2));
		assertThat(coordinator.lastReport().delayEnd()).isEqualTo(DelayEnd.SKIPPED_NEVER_READY);
		await().atMost(Duration.ofSeconds(20)).until(() -> phase.result() != null);
		assertThat(phase.result().outcome()).isEqualTo(WarmupResult.Outcome.CANCELLED);
		assertThat(phase.isComplete()).isFalse();
		this.context = null;
	}

	@Test
	void aReadinessProbeThatPassedHoldsTheDelayEvenWhileTheWarmupStillRuns() throws Exception {
		// A user's readiness group without the warm-up: readiness passes at once.
		this.context = start("--lifecycle.warmup.paths=/hello", "--gated-task=true", "--lifecycle.shutdown.delay=1s",
				"--management.endpoint.health.group.readiness.include=readinessState");
		WarmupApplication app = this.context.getBean(WarmupApplication.class);
		await().atMost(Duration.ofSeconds(20)).until(() -> app.taskRuns.get() == 1);
		assertThat(status("/readyz")).as("the kubelet was told: ready").isEqualTo(200);
		assertThat(status("/startupz")).as("start-up is not complete").isEqualTo(503);
		ShutdownCoordinator coordinator = this.context.getBean(ShutdownCoordinator.class);
		assertThat(closeContext()).as("load balancers were given the delay")
			.isGreaterThanOrEqualTo(Duration.ofSeconds(1));
		assertThat(coordinator.lastReport().delayEnd()).isEqualTo(DelayEnd.ELAPSED);
		this.context = null;
	}

	/** Closes the context as SIGTERM would, off the test thread, and returns how long it took. */
	private Duration closeContext() throws Exception {
		long start = System.nanoTime();
		CompletableFuture.runAsync(this.context::close).get(10, TimeUnit.SECONDS);
		return Duration.ofNanos(System.nanoTime() - start);
	}

	@Test
	void invalidSettingsFailStartupNamingTheProperty() {
		assertStartupFails(new String[] { "--lifecycle.warmup.paths=hello" },
				"lifecycle.warmup.paths[0] (hello) is not a path of this application", "such as /hello");
		assertStartupFails(new String[] { "--lifecycle.warmup.paths=POST /orders" },
				"lifecycle.warmup.paths[0] (POST /orders) uses POST", "GET or HEAD requests only");
		assertStartupFails(new String[] { "--lifecycle.warmup.paths=/hello", "--lifecycle.warmup.iterations=0" },
				"lifecycle.warmup.iterations (0) must be at least 1");
		assertStartupFails(new String[] { "--lifecycle.warmup.paths=/hello", "--lifecycle.warmup.concurrency=0" },
				"lifecycle.warmup.concurrency (0) must be at least 1");
		assertStartupFails(new String[] { "--lifecycle.warmup.paths=/hello", "--lifecycle.warmup.timeout=0s" },
				"lifecycle.warmup.timeout (PT0S) must be longer than zero");
		assertStartupFails(new String[0], "there is nothing to warm up");
	}

	private void assertStartupFails(String[] args, String... messages) {
		String[] all = Arrays.copyOf(new String[] { "--server.port=0", "--lifecycle.warmup.enabled=true" },
				args.length + 2);
		System.arraycopy(args, 0, all, 2, args.length);
		Throwable failure = catchThrowable(() -> new SpringApplication(WarmupApplication.class).run(all));
		assertThat(failure).rootCause().isInstanceOf(InvalidLifecycleConfigurationException.class);
		FailureAnalysis analysis = new InvalidLifecycleConfigurationFailureAnalyzer().analyze(failure);
		assertThat(analysis.getDescription() + "\n" + analysis.getAction()).contains(messages);
	}

	private ConfigurableApplicationContext start(String... args) {
		String[] all = Arrays.copyOf(new String[] { "--server.port=0", "--lifecycle.warmup.enabled=true" },
				args.length + 2);
		System.arraycopy(args, 0, all, 2, args.length);
		return new SpringApplication(WarmupApplication.class).run(all);
	}

	private int status(String path) {
		int port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
		try {
			return this.client
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
						HttpResponse.BodyHandlers.discarding())
				.statusCode();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}


	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@RestController
	static class WarmupApplication {

		final CountDownLatch gate = new CountDownLatch(1);

		final AtomicInteger taskRuns = new AtomicInteger();

		final List<String> warmupHeaders = new CopyOnWriteArrayList<>();

		@GetMapping("/hello")
		String hello(@RequestHeader(name = HttpWarmupRequests.HEADER, required = false) String warmup) {
			if (warmup != null) {
				this.warmupHeaders.add(warmup);
			}
			return "hello";
		}

		@GetMapping("/broken")
		ResponseEntity<String> broken() {
			return ResponseEntity.internalServerError().body("broken");
		}

		@Bean
		@ConditionalOnBooleanProperty("gated-task")
		WarmupTask gatedTask() {
			return () -> {
				this.taskRuns.incrementAndGet();
				this.gate.await(30, TimeUnit.SECONDS);
			};
		}

		@Bean
		@ConditionalOnBooleanProperty("counting-task")
		WarmupTask countingTask() {
			return this.taskRuns::incrementAndGet;
		}

	}

}
