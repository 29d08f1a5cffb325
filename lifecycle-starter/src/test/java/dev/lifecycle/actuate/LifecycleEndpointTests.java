package dev.lifecycle.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownPhase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LifecycleEndpointTests {

	private final HttpClient client = HttpClient.newHttpClient();

	@Test
	void notExposedOverTheWebByDefault() throws Exception {
		try (ConfigurableApplicationContext context = start()) {
			assertThat(get(context, "/actuator/lifecycle").statusCode()).isEqualTo(404);
		}
	}

	@Test
	void exposedItDescribesPhaseBudgetAndStartup() throws Exception {
		try (ConfigurableApplicationContext context = start("--management.endpoints.web.exposure.include=lifecycle",
				"--spring.main.cloud-platform=kubernetes", "--lifecycle.termination-grace-period=45s")) {
			HttpResponse<String> response = get(context, "/actuator/lifecycle");
			assertThat(response.statusCode()).isEqualTo(200);
			DocumentContext json = JsonPath.parse(response.body());
			assertThat(json.read("$.phase", String.class)).isEqualTo("SERVING");
			assertThat(json.read("$.inFlight", Integer.class)).isZero();
			assertThat(json.read("$.budget.terminationGracePeriod.value", String.class)).isEqualTo("45s");
			assertThat(json.read("$.budget.terminationGracePeriod.source", String.class))
				.isEqualTo("from property source \"commandLineArgs\"");
			assertThat(json.read("$.budget.delay.value", String.class)).isEqualTo("5s");
			assertThat(json.read("$.budget.delay.source", String.class)).isEqualTo("default on Kubernetes");
			assertThat(json.read("$.budget.drainTimeout.millis", Long.class)).isEqualTo(38_000);
			assertThat(json.read("$.budget.drainTimeout.property", String.class))
				.isEqualTo("lifecycle.shutdown.drain-timeout");
			assertThat(json.read("$.budget.margin.value", String.class)).isEqualTo("2s");
			assertThat(json.read("$.startup.complete", Boolean.class)).isTrue();
			assertThat(json.read("$.startup.timeMillis", Long.class)).isPositive();
			assertThat(json.read("$.shutdown", Object.class)).isNull();
		}
	}

	@Test
	void showsTheShutdownAsItHappens() throws Exception {
		ConfigurableApplicationContext context = start("--management.endpoints.web.exposure.include=lifecycle",
				"--management.server.port=0", "--lifecycle.shutdown.delay=3s");
		int managementPort = context.getEnvironment().getRequiredProperty("local.management.port", Integer.class);
		CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
		ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
		await().atMost(Duration.ofSeconds(10)).until(coordinator::phase, (phase) -> phase == ShutdownPhase.DELAY);
		DocumentContext json = JsonPath.parse(get(managementPort, "/actuator/lifecycle").body());
		assertThat(json.read("$.phase", String.class)).isEqualTo("DELAY");
		assertThat(json.read("$.shutdown.complete", Boolean.class)).isFalse();
		assertThat(json.read("$.shutdown.delayEnd", String.class)).isEqualTo("pending");
		assertThat(json.read("$.shutdown.phases.REFUSE", String.class)).isNotBlank();
		closing.get(30, TimeUnit.SECONDS);
	}

	@Test
	void writesAreRefusedOverHttp() throws Exception {
		try (ConfigurableApplicationContext context = start("--management.endpoints.web.exposure.include=lifecycle")) {
			for (String method : new String[] { "POST", "PUT", "DELETE" }) {
				HttpRequest request = HttpRequest.newBuilder(uri(port(context), "/actuator/lifecycle"))
					.method(method, HttpRequest.BodyPublishers.ofString("{\"phase\":\"DRAIN\"}"))
					.header("Content-Type", "application/json")
					.build();
				assertThat(this.client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).as(method)
					.isEqualTo(405);
			}
			assertThat(context.getBean(ShutdownCoordinator.class).phase()).isEqualTo(ShutdownPhase.SERVING);
		}
	}

	@Test
	void evenWithEveryEndpointExposedNothingOverHttpCanStopTheApplication() throws Exception {
		try (ConfigurableApplicationContext context = start("--management.endpoints.web.exposure.include=*")) {
			HttpRequest shutdown = HttpRequest.newBuilder(uri(port(context), "/actuator/shutdown"))
				.POST(HttpRequest.BodyPublishers.noBody())
				.build();
			assertThat(this.client.send(shutdown, HttpResponse.BodyHandlers.ofString()).statusCode())
				.as("Boot's shutdown endpoint stays off").isEqualTo(404);
			assertThat(get(context, "/actuator/lifecycle").statusCode()).isEqualTo(200);
			assertThat(context.isActive()).isTrue();
			assertThat(context.getBean(ShutdownCoordinator.class).phase()).isEqualTo(ShutdownPhase.SERVING);
		}
	}

	@Test
	void hasReadOperationsOnly() {
		assertThat(Arrays.stream(LifecycleEndpoint.class.getMethods())
			.filter((method) -> method.isAnnotationPresent(WriteOperation.class)
					|| method.isAnnotationPresent(DeleteOperation.class))).isEmpty();
		assertThat(Arrays.stream(LifecycleEndpoint.class.getMethods())
			.filter((method) -> method.isAnnotationPresent(ReadOperation.class))).hasSize(1);
	}

	private ConfigurableApplicationContext start(String... args) {
		String[] all = Arrays.copyOf(new String[] { "--server.port=0" }, args.length + 1);
		System.arraycopy(args, 0, all, 1, args.length);
		return new SpringApplication(TestApplication.class).run(all);
	}

	private HttpResponse<String> get(ConfigurableApplicationContext context, String path) throws Exception {
		return get(port(context), path);
	}

	private HttpResponse<String> get(int port, String path) throws Exception {
		return this.client.send(HttpRequest.newBuilder(uri(port, path)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private static int port(ConfigurableApplicationContext context) {
		return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
	}

	private static URI uri(int port, String path) {
		return URI.create("http://127.0.0.1:" + port + path);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
