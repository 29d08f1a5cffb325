package dev.lifecycle.shutdown.servlet;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import dev.lifecycle.shutdown.InFlightRequests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The request tracking against a real Tomcat: blocking, async, streaming and failing requests. */
class InFlightRequestFilterTests {

	private ConfigurableApplicationContext context;

	private InFlightRequests requests;

	private TestApplication app;

	private final HttpClient client = HttpClient.newHttpClient();

	@BeforeEach
	void start() {
		this.context = SpringApplication.run(TestApplication.class, "--server.port=0",
				"--management.endpoint.health.probes.add-additional-paths=true");
		this.requests = this.context.getBean(InFlightRequests.class);
		this.app = this.context.getBean(TestApplication.class);
	}

	@AfterEach
	void stop() {
		this.app.release.countDown();
		this.context.close();
	}

	@Test
	void blockingAndAsyncRequestsStayInFlightUntilTheirResponseIsComplete() throws Exception {
		CompletableFuture<HttpResponse<String>> blocking = send("/blocking");
		CompletableFuture<HttpResponse<String>> callable = send("/callable");
		CompletableFuture<HttpResponse<String>> deferredResponse = send("/deferred");
		awaitCount(3);

		this.app.deferred.setResult("deferred done");
		assertThat(deferredResponse.get(10, TimeUnit.SECONDS).body()).isEqualTo("deferred done");
		awaitCount(2);

		this.app.release.countDown();
		assertThat(blocking.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		assertThat(callable.get(10, TimeUnit.SECONDS).body()).isEqualTo("callable done");
		awaitCount(0);
		assertThat(this.requests.completed()).isEqualTo(3);
	}

	@Test
	void concurrentRequestsAreEachCountedOnce() throws Exception {
		List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			responses.add(send((i % 3 == 0) ? "/failing" : "/streaming"));
		}
		for (CompletableFuture<HttpResponse<String>> response : responses) {
			response.get(30, TimeUnit.SECONDS);
		}
		awaitCount(0);
		assertThat(this.requests.started()).isEqualTo(200);
		assertThat(this.requests.completed()).isEqualTo(200);
		assertThat(this.context.getBean(MeterRegistry.class).get("lifecycle.requests.inflight").gauge().value())
			.isZero();
	}

	@Test
	void streamingResponseStaysInFlightUntilItsLastByte() throws Exception {
		this.app.streamGate = new CountDownLatch(1);
		CompletableFuture<HttpResponse<String>> streaming = send("/streaming");
		awaitCount(1);
		this.app.streamGate.countDown();
		assertThat(streaming.get(10, TimeUnit.SECONDS).body()).isEqualTo("chunk 1\nchunk 2\n");
		awaitCount(0);
	}

	@Test
	void failingRequestsEndToo() throws Exception {
		assertThat(send("/failing").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(500);
		assertThat(send("/missing").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(404);
		awaitCount(0);
		assertThat(this.requests.started()).isEqualTo(2);
		assertThat(this.requests.completed()).isEqualTo(2);
	}

	@Test
	void probesAndActuatorAreNotTraffic() throws Exception {
		assertThat(send("/readyz").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		assertThat(send("/actuator/health").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		assertThat(this.requests.started()).isZero();
	}

	private CompletableFuture<HttpResponse<String>> send(String path) {
		int port = this.context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.build();
		return this.client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
	}

	private void awaitCount(int expected) {
		await().atMost(Duration.ofSeconds(10)).until(this.requests::count, (count) -> count == expected);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@RestController
	static class TestApplication {

		final CountDownLatch release = new CountDownLatch(1);

		final DeferredResult<String> deferred = new DeferredResult<>(30_000L);

		@GetMapping("/blocking")
		String blocking() throws InterruptedException {
			this.release.await(30, TimeUnit.SECONDS);
			return "blocking done";
		}

		@GetMapping("/callable")
		Callable<String> callable() {
			return () -> {
				this.release.await(30, TimeUnit.SECONDS);
				return "callable done";
			};
		}

		@GetMapping("/deferred")
		DeferredResult<String> deferred() {
			return this.deferred;
		}

		volatile CountDownLatch streamGate = new CountDownLatch(0);

		@GetMapping("/streaming")
		StreamingResponseBody streaming() {
			CountDownLatch gate = this.streamGate;
			return (out) -> {
				out.write("chunk 1\n".getBytes(StandardCharsets.UTF_8));
				out.flush();
				try {
					gate.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				out.write("chunk 2\n".getBytes(StandardCharsets.UTF_8));
			};
		}

		@GetMapping("/failing")
		String failing() {
			throw new IllegalStateException("failing on purpose");
		}

	}

}
