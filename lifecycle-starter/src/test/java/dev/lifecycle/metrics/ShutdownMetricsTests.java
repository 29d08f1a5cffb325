package dev.lifecycle.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.lifecycle.shutdown.InFlightRequests;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownPhase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real shutdown of an application holding requests: two finish during the drain, one
 * outlasts the drain timeout. The meters and the structured report must say exactly that.
 */
@ExtendWith(OutputCaptureExtension.class)
class ShutdownMetricsTests {

	private final HttpClient client = HttpClient.newHttpClient();

	@Test
	void metersAndStructuredReportCountDrainedAndAbandonedRequests(CapturedOutput output) throws Exception {
		ConfigurableApplicationContext context = new SpringApplication(HoldingApplication.class).run("--server.port=0",
				"--lifecycle.termination-grace-period=10s", "--lifecycle.shutdown.delay=300ms",
				"--lifecycle.shutdown.drain-timeout=1500ms", "--logging.structured.format.console=ecs");
		HoldingApplication app = context.getBean(HoldingApplication.class);
		MeterRegistry registry = context.getBean(MeterRegistry.class);
		ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
		int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
		try {
			List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
			held.add(send(port, "/finishing"));
			held.add(send(port, "/finishing"));
			CompletableFuture<HttpResponse<String>> endless = send(port, "/endless");
			await().atMost(Duration.ofSeconds(20)).until(() -> context.getBean(InFlightRequests.class).count() == 3);
			assertThat(registry.get("lifecycle.requests.inflight").gauge().value()).isEqualTo(3);
			assertThat(registry.get("lifecycle.shutdown.budget").timeGauge().value(TimeUnit.SECONDS)).isEqualTo(10);
			assertThat(registry.get("lifecycle.shutdown.delay.end").gauges()).as("no delay has ended")
				.hasSize(5)
				.allSatisfy((end) -> assertThat(end.value()).isZero());

			CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
			await().atMost(Duration.ofSeconds(20)).until(() -> coordinator.phase() == ShutdownPhase.DRAIN);
			app.finishing.countDown();
			for (CompletableFuture<HttpResponse<String>> response : held) {
				assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
			}
			closing.get(30, TimeUnit.SECONDS);
			assertThat(endless).isDone();

			assertThat(counter(registry, "drained")).isEqualTo(2);
			assertThat(counter(registry, "abandoned")).isEqualTo(1);
			assertThat(registry.get("lifecycle.shutdown.delay.arrivals").functionCounter().count()).isZero();
			assertThat(phase(registry, "delay")).isGreaterThanOrEqualTo(300);
			assertThat(registry.get("lifecycle.shutdown.delay.end").gauges())
				.filteredOn((end) -> end.value() == 1)
				.singleElement()
				.satisfies((end) -> assertThat(end.getId().getTag("reason")).isEqualTo("elapsed"));
			assertThat(phase(registry, "drain")).isBetween(1500.0, 5000.0);
			assertThat(registry.get("lifecycle.shutdown.duration").timeGauge().value(TimeUnit.MILLISECONDS))
				.isGreaterThanOrEqualTo(1800);
			// Tomcat's stop interrupted the abandoned request: nothing is left in flight.
			assertThat(registry.get("lifecycle.requests.inflight").gauge().value()).isZero();

			String reportLine = output.getOut()
				.lines()
				.filter((line) -> line.contains("Shutdown complete in"))
				.findFirst()
				.orElseThrow();
			assertThat(reportLine).startsWith("{")
				.contains("\"log\":{\"level\":\"INFO\"")
				.containsPattern("\"total_ms\":\\d+")
				.contains("\"drained\":2", "\"abandoned\":1", "\"within_budget\":true", "\"delay_end\":\"elapsed\"");
		}
		finally {
			app.endless.countDown();
			context.close();
		}
	}

	private static double counter(MeterRegistry registry, String outcome) {
		return registry.get("lifecycle.shutdown.requests").tag("outcome", outcome).functionCounter().count();
	}

	private static double phase(MeterRegistry registry, String phase) {
		return registry.get("lifecycle.shutdown.phase.duration")
			.tag("phase", phase)
			.timeGauge()
			.value(TimeUnit.MILLISECONDS);
	}

	private CompletableFuture<HttpResponse<String>> send(int port, String path) {
		return this.client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@RestController
	static class HoldingApplication {

		final CountDownLatch finishing = new CountDownLatch(1);

		final CountDownLatch endless = new CountDownLatch(1);

		@GetMapping("/finishing")
		String finishing() throws InterruptedException {
			this.finishing.await(30, TimeUnit.SECONDS);
			return "finished";
		}

		@GetMapping("/endless")
		String endless() throws InterruptedException {
			this.endless.await(60, TimeUnit.SECONDS);
			return "too late";
		}

	}

}
