package dev.lifecycle.probes;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** Each probe in each state of the application, over HTTP against a real Tomcat. */
@ExtendWith(OutputCaptureExtension.class)
class ProbesTests {

	private static final String[] PROBES = { "/startupz", "/livez", "/readyz", "/actuator/health/startup",
			"/actuator/health/liveness", "/actuator/health/readiness" };

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private ConfigurableApplicationContext context;

	@AfterEach
	void close() {
		if (this.context != null) {
			this.context.close();
		}
	}

	@Test
	void whileStartingStartupAndReadinessAreDownAndLivenessIsUp() throws Exception {
		CountDownLatch runnerRelease = new CountDownLatch(1);
		int port = freePort();
		CompletableFuture<ConfigurableApplicationContext> starting = CompletableFuture
			.supplyAsync(() -> new SpringApplication(TestApplication.class)
				.run("--server.port=" + port, "--slow-runner=true"));
		TestApplication.runnerRelease.set(runnerRelease);
		await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> status(port, "/livez") == 200);
		assertThat(status(port, "/startupz")).isEqualTo(503);
		assertThat(status(port, "/readyz")).isEqualTo(503);
		assertThat(status(port, "/actuator/health/startup")).isEqualTo(503);

		runnerRelease.countDown();
		this.context = starting.get(30, TimeUnit.SECONDS);
		for (String probe : PROBES) {
			assertThat(status(port, probe)).as(probe).isEqualTo(200);
		}
	}

	@Test
	void aStartupCheckHoldsTheStartupProbeUntilItCompletesThenItStaysUp() throws Exception {
		this.context = start("--cache-preload=true");
		AtomicBoolean preloaded = this.context.getBean("cachePreload", TestApplication.PreloadCheck.class).done;
		assertThat(status(port(), "/startupz")).isEqualTo(503);
		preloaded.set(true);
		assertThat(status(port(), "/startupz")).isEqualTo(200);
		preloaded.set(false);
		assertThat(status(port(), "/startupz")).as("UP for good").isEqualTo(200);
	}

	@Test
	void whileShuttingDownReadinessIsDownAndLivenessStaysUp() throws Exception {
		this.context = start("--lifecycle.shutdown.delay=3s");
		int port = port();
		CompletableFuture<Void> closing = CompletableFuture.runAsync(this.context::close);
		await().atMost(Duration.ofSeconds(30)).until(() -> status(port, "/readyz") == 503);
		assertThat(status(port, "/livez")).isEqualTo(200);
		assertThat(status(port, "/startupz")).isEqualTo(200);
		closing.get(30, TimeUnit.SECONDS);
	}

	@Test
	void brokenLivenessStateTakesTheLivenessProbeDown() throws Exception {
		this.context = start();
		AvailabilityChangeEvent.publish(this.context, LivenessState.BROKEN);
		assertThat(status(port(), "/livez")).isEqualTo(503);
		assertThat(status(port(), "/actuator/health/liveness")).isEqualTo(503);
		assertThat(status(port(), "/readyz")).isEqualTo(200);
	}

	@Test
	void probesShowNoDetailsEvenWhenTheHealthEndpointDoes() throws Exception {
		this.context = start("--management.endpoint.health.show-details=always",
				"--management.endpoint.health.show-components=always");
		for (String probe : PROBES) {
			assertThat(get(port(), probe).body()).as(probe).isEqualTo("{\"status\":\"UP\"}");
		}
		assertThat(get(port(), "/actuator/health").body()).contains("components");
	}

	@Test
	void aDependencyInTheLivenessGroupIsWarnedAboutOnce(CapturedOutput output) throws Exception {
		this.context = start("--database-indicator=true",
				"--management.endpoint.health.group.liveness.include=livenessState,deadlockedThreads,database");
		assertThat(output).containsOnlyOnce("The liveness group includes [database]")
			.contains("management.endpoint.health.group.readiness.include=readinessState,database");
	}

	@Test
	void theDefaultLivenessGroupRaisesNoWarning(CapturedOutput output) throws Exception {
		this.context = start("--database-indicator=true");
		assertThat(output).doesNotContain("The liveness group includes");
	}

	@Test
	void usersCanAddDependenciesToReadinessWithBootsOwnProperty() throws Exception {
		this.context = start("--database-indicator=true",
				"--management.endpoint.health.group.readiness.include=readinessState,database");
		assertThat(status(port(), "/readyz")).isEqualTo(200);
		this.context.getBean(TestApplication.Database.class).up.set(false);
		assertThat(status(port(), "/readyz")).isEqualTo(503);
		assertThat(status(port(), "/livez")).isEqualTo(200);
	}

	@Test
	void bootPropertiesStillOverrideTheProbeDefaults() throws Exception {
		this.context = start("--management.endpoint.health.group.readiness.additional-path=server:/ready");
		assertThat(status(port(), "/ready")).isEqualTo(200);
		assertThat(status(port(), "/readyz")).isEqualTo(404);
	}

	@Test
	void turningBootsProbesOffIsWarnedAboutNotSilent(CapturedOutput output) throws Exception {
		this.context = start("--management.endpoint.health.probes.enabled=false");
		assertThat(status(port(), "/readyz")).isEqualTo(404);
		assertThat(output).containsOnlyOnce("management.endpoint.health.probes.enabled=false turns off")
			.contains("set lifecycle.probes.enabled=false to say that you do not want the probes");
	}

	@Test
	void aSwitchThatIsNotABooleanFailsStartupInsteadOfTurningTheStarterOff() {
		for (String property : new String[] { "lifecycle.enabled", "lifecycle.probes.enabled",
				"lifecycle.warmup.enabled" }) {
			assertThatExceptionOfType(Exception.class).as(property)
				.isThrownBy(() -> start("--" + property + "=yes please"))
				.withStackTraceContaining("Failed to bind properties under '" + property + "'");
		}
	}

	@Test
	void disabledStarterLeavesBootsProbesAlone() throws Exception {
		// Asked for, since Boot 3 has its probes only on Kubernetes; Boot 4 has them anyway.
		this.context = start("--lifecycle.enabled=false", "--management.endpoint.health.probes.enabled=true");
		assertThat(status(port(), "/actuator/health/liveness")).isEqualTo(200);
		assertThat(status(port(), "/startupz")).isEqualTo(404);
		assertThat(status(port(), "/actuator/health/startup")).isEqualTo(404);
	}

	private ConfigurableApplicationContext start(String... args) {
		String[] all = new String[args.length + 1];
		all[0] = "--server.port=0";
		System.arraycopy(args, 0, all, 1, args.length);
		return new SpringApplication(TestApplication.class).run(all);
	}

	private int port() {
		return this.context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
	}

	private int status(int port, String path) throws Exception {
		return get(port, path).statusCode();
	}

	private HttpResponse<String> get(int port, String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		return this.client.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

		static final AtomicReference<CountDownLatch> runnerRelease = new AtomicReference<>(new CountDownLatch(0));

		@Bean
		@ConditionalOnBooleanProperty("slow-runner")
		ApplicationRunner slowRunner() {
			return (args) -> {
				while (runnerRelease.get().getCount() == 0) {
					TimeUnit.MILLISECONDS.sleep(10);
				}
				runnerRelease.get().await(30, TimeUnit.SECONDS);
			};
		}

		@Bean
		@ConditionalOnBooleanProperty("cache-preload")
		PreloadCheck cachePreload() {
			return new PreloadCheck();
		}

		@Bean
		@ConditionalOnBooleanProperty("database-indicator")
		HealthCheckIndicator databaseHealthIndicator(Database database) {
			return new HealthCheckIndicator(database);
		}

		@Bean
		Database database() {
			return new Database();
		}

		static final class PreloadCheck implements StartupCheck {

			final AtomicBoolean done = new AtomicBoolean();

			@Override
			public boolean isComplete() {
				return this.done.get();
			}

		}

		/**
		 * Stands for a database: the kind of dependency that must stay out of liveness. A
		 * check shown by the starter's own indicator, so the test reads the same on each
		 * Boot line.
		 */
		static final class Database implements HealthCheck {

			final AtomicBoolean up = new AtomicBoolean(true);

			@Override
			public HealthState check() {
				return this.up.get() ? HealthState.up() : HealthState.down("database", "unreachable");
			}

		}

	}

}
