package dev.lifecycle.warmup;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
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
import dev.lifecycle.sample.support.SelfSignedKeyStore;
import dev.lifecycle.shutdown.ShutdownReport.DelayEnd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

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
		this.context = start("--lifecycle.warmup.paths=/hello", "--lifecycle.warmup.until=iterations",
				"--lifecycle.warmup.iterations=20", "--gated-task=true");
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
		this.context = start("--lifecycle.warmup.paths=/hello,HEAD /hello", "--lifecycle.warmup.until=iterations",
				"--lifecycle.warmup.iterations=3", "--counting-task=true");
		await().atMost(Duration.ofSeconds(20)).until(() -> status("/readyz") == 200);
		WarmupApplication app = this.context.getBean(WarmupApplication.class);
		assertThat(app.warmupHeaders).hasSize(6).containsOnly("true");
		assertThat(app.taskRuns).hasValue(1);
		WarmupResult result = this.context.getBean(WarmupPhase.class).result();
		assertThat(result.outcome()).isEqualTo(WarmupResult.Outcome.COMPLETED);
		assertThat(result.requests()).isEqualTo(6);
		assertThat(result.failedRequests()).isZero();
		assertThat(output).contains("Warm-up complete in", "6 requests (0 failed), 1 tasks (0 failed)");
	}

	@Test
	void withTheDefaultsTheWarmupEndsOnceTheJitSettledAndSaysSoInTheLogTheEndpointAndTheMeters(
			CapturedOutput output) throws Exception {
		// A threshold no JVM reaches in 100 ms: the first whole window counts as settled.
		this.context = start("--lifecycle.warmup.paths=/hello", "--lifecycle.warmup.settle-window=100ms",
				"--lifecycle.warmup.settle-threshold=1m", "--management.endpoints.web.exposure.include=health,lifecycle");
		await().atMost(Duration.ofSeconds(20)).until(() -> status("/readyz") == 200);
		WarmupResult result = this.context.getBean(WarmupPhase.class).result();
		assertThat(result.outcome()).isEqualTo(WarmupResult.Outcome.SETTLED);
		assertThat(result.requests()).isPositive().isLessThan(10000);
		assertThat(output).contains("Warm-up complete in", ", the JIT settled (", "ms of compilation in the last window)");
		assertThat(body("/actuator/lifecycle")).contains("\"outcome\":\"SETTLED\"", "\"lastWindowCompilationMillis\":");
		MeterRegistry registry = this.context.getBean(MeterRegistry.class);
		assertThat(registry.get("lifecycle.warmup.outcome").tag("outcome", "settled").gauge().value()).isEqualTo(1);
		assertThat(registry.get("lifecycle.warmup.duration").timeGauge().value(TimeUnit.MILLISECONDS))
			.isEqualTo(result.duration().toMillis(), within(1.0));
		assertThat(registry.get("lifecycle.warmup.requests").tag("outcome", "ok").functionCounter().count())
			.isEqualTo(result.requests());
	}

	@Test
	void warmupEndsOnceTheJitSettledWhileRequestsAreSent() {
		this.context = startWithoutWarmup();
		// Compilation grows 1 ms a millisecond for 500 ms, then stops.
		long start = System.nanoTime();
		JitSettleRule rule = new JitSettleRule(Duration.ofMillis(200), Duration.ofMillis(50),
				() -> Math.min(millisSince(start), 500), System::nanoTime);
		WarmupResult result = warmup(List.of("/hello"), 1_000_000, rule, Duration.ofSeconds(20)).run();
		assertThat(result.outcome()).isEqualTo(WarmupResult.Outcome.SETTLED);
		// Settled no sooner than 650 ms: a window back, 50 ms of the growth remained.
		assertThat(result.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(650));
		assertThat(result.requests()).isPositive().isLessThan(1_000_000);
		assertThat(result.failedRequests()).isZero();
		assertThat(result.clean()).isTrue();
		assertThat(this.context.getBean(WarmupApplication.class).warmupHeaders).hasSize((int) result.requests());
	}

	@Test
	void warmupEndsAtTheIterationCapWhenTheJitNeverSettles() {
		this.context = startWithoutWarmup();
		long start = System.nanoTime();
		JitSettleRule rule = new JitSettleRule(Duration.ofMillis(200), Duration.ofMillis(50), () -> millisSince(start),
				System::nanoTime);
		WarmupResult result = warmup(List.of("/hello", "HEAD /hello"), 50, rule, Duration.ofSeconds(20)).run();
		assertThat(result.outcome()).isEqualTo(WarmupResult.Outcome.CAP_REACHED);
		assertThat(result.requests()).isEqualTo(100);
		assertThat(result.clean()).isTrue();
		assertThat(result.summary()).contains("each path requested its iterations before the JIT settled");
	}

	@Test
	void warmupEndsByItsBudgetWhenTheJitNeverSettlesAndTheCapIsFarAway(CapturedOutput output) {
		this.context = startWithoutWarmup();
		long start = System.nanoTime();
		JitSettleRule rule = new JitSettleRule(Duration.ofMillis(200), Duration.ofMillis(50), () -> millisSince(start),
				System::nanoTime);
		WarmupResult result = warmup(List.of("/hello"), 1_000_000, rule, Duration.ofMillis(800)).run();
		assertThat(result.outcome()).isEqualTo(WarmupResult.Outcome.TIMED_OUT);
		assertThat(result.requests()).isPositive().isLessThan(1_000_000);
		assertThat(output).contains("WARN", "Warm-up stopped by its budget after", "ready anyway, partly warm");
	}

	@Test
	void warmupWhosePathsAllKeepFailingStopsAndTheApplicationBecomesReadyWithAWarning(CapturedOutput output)
			throws Exception {
		// One at a time, so that no request is already on its way when its path is dropped.
		this.context = start("--lifecycle.warmup.paths=/broken,/missing", "--lifecycle.warmup.concurrency=1");
		await().atMost(Duration.ofSeconds(20)).until(() -> status("/readyz") == 200);
		WarmupResult result = this.context.getBean(WarmupPhase.class).result();
		assertThat(result.outcome()).isEqualTo(WarmupResult.Outcome.FAILED);
		assertThat(result.requests()).isEqualTo(2 * Warmup.FAILURES_TO_DROP_A_PATH);
		assertThat(result.failedRequests()).isEqualTo(result.requests());
		assertThat(output).contains("Warm-up request to /broken failed 10 times in a row; no longer requesting it",
				"Warm-up request to /missing failed 10 times in a row");
		assertThat(output.getOut().lines().filter((line) -> line.contains("Warm-up stopped after")))
			.singleElement(InstanceOfAssertFactories.STRING)
			.contains("WARN", "every path failed 10 times in a row", "20 requests (20 failed)", "ready anyway, not warm");
	}

	@Test
	void aPathThatKeepsFailingIsDroppedWhileTheOthersAreStillRequested(CapturedOutput output) throws Exception {
		this.context = start("--lifecycle.warmup.paths=/hello,/broken", "--lifecycle.warmup.until=iterations",
				"--lifecycle.warmup.iterations=30", "--lifecycle.warmup.concurrency=1");
		await().atMost(Duration.ofSeconds(20)).until(() -> status("/readyz") == 200);
		WarmupResult result = this.context.getBean(WarmupPhase.class).result();
		assertThat(result.outcome()).isEqualTo(WarmupResult.Outcome.COMPLETED);
		assertThat(result.requests()).isEqualTo(30 + Warmup.FAILURES_TO_DROP_A_PATH);
		assertThat(result.failedRequests()).isEqualTo(Warmup.FAILURES_TO_DROP_A_PATH);
		assertThat(output.getOut().lines().filter((line) -> line.contains("Warm-up complete")))
			.singleElement(InstanceOfAssertFactories.STRING)
			.contains("WARN", "40 requests (10 failed)", "ready anyway, with failures");
	}

	@Test
	void whenTheBudgetRunsOutTheApplicationBecomesReadyAnyway(CapturedOutput output) throws Exception {
		this.context = start("--lifecycle.warmup.paths=/hello", "--gated-task=true",
				"--lifecycle.warmup.until=iterations", "--lifecycle.warmup.timeout=500ms");
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
		assertStartupFails(new String[] { "--lifecycle.warmup.paths=/hello", "--lifecycle.warmup.settle-window=30s" },
				"lifecycle.warmup.settle-window (PT30S) is not shorter than lifecycle.warmup.timeout (PT30S)");
	}

	@Test
	void requestsNeverGoThroughAProxyTheJvmIsToldOf() throws Exception {
		this.context = startWithoutWarmup();
		int port = this.context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
		ProxySelector saved = ProxySelector.getDefault();
		// A proxy that counts the connections it gets and answers none of them, and a
		// default ProxySelector (as libraries install) that sends everything to it.
		try (ServerSocket proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			AtomicInteger proxied = new AtomicInteger();
			Thread acceptor = new Thread(() -> {
				while (!proxy.isClosed()) {
					try (Socket socket = proxy.accept()) {
						proxied.incrementAndGet();
					}
					catch (IOException ex) {
						return;
					}
				}
			});
			acceptor.setDaemon(true);
			acceptor.start();
			ProxySelector.setDefault(ProxySelector.of((InetSocketAddress) proxy.getLocalSocketAddress()));
			HttpWarmupRequests requests = new HttpWarmupRequests(() -> port);
			assertThat(requests.send("/hello")).isTrue();
			assertThat(requests.send("HEAD /hello")).isTrue();
			assertThat(requests.send("/broken")).isFalse();
			assertThat(proxied).hasValue(0);
		}
		finally {
			ProxySelector.setDefault(saved);
		}
	}

	@Test
	void overTlsTheRequestsTrustTheServersOwnCertificate(@TempDir Path directory) throws Exception {
		// Self-signed, and issued for another name than 127.0.0.1.
		Path keyStore = SelfSignedKeyStore.create(directory, "warmup.invalid");
		this.context = start("--lifecycle.warmup.paths=/hello,HEAD /hello", "--lifecycle.warmup.until=iterations",
				"--lifecycle.warmup.iterations=5", "--server.ssl.key-store=file:" + keyStore,
				"--server.ssl.key-store-password=" + SelfSignedKeyStore.PASSWORD, "--server.ssl.key-store-type=PKCS12");
		WarmupPhase phase = this.context.getBean(WarmupPhase.class);
		await().atMost(Duration.ofSeconds(20)).until(() -> phase.result() != null);
		WarmupResult result = phase.result();
		assertThat(result.outcome()).isEqualTo(WarmupResult.Outcome.COMPLETED);
		assertThat(result.requests()).isEqualTo(10);
		assertThat(result.failedRequests()).isZero();
		assertThat(this.context.getBean(WarmupApplication.class).warmupHeaders).hasSize(10);
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

	private Warmup warmup(List<String> paths, int iterations, JitSettleRule rule, Duration timeout) {
		int port = this.context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
		return new Warmup(paths, iterations, rule, 2, timeout, Map.of(), new HttpWarmupRequests(() -> port));
	}

	private static long millisSince(long startNanos) {
		return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
	}

	private ConfigurableApplicationContext startWithoutWarmup() {
		return new SpringApplication(WarmupApplication.class).run("--server.port=0");
	}

	private ConfigurableApplicationContext start(String... args) {
		String[] all = Arrays.copyOf(new String[] { "--server.port=0", "--lifecycle.warmup.enabled=true" },
				args.length + 2);
		System.arraycopy(args, 0, all, 2, args.length);
		return new SpringApplication(WarmupApplication.class).run(all);
	}

	private String body(String path) throws Exception {
		int port = this.context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
		return this.client
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
	}

	private int status(String path) {
		int port = this.context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
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
