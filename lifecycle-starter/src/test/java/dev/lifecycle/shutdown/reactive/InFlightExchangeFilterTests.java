package dev.lifecycle.shutdown.reactive;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.lifecycle.shutdown.InFlightRequests;
import dev.lifecycle.test.ReactorNettyApplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The request tracking against a real Reactor Netty server: deferred, streamed, endless
 * and failing exchanges, and clients that go away.
 */
class InFlightExchangeFilterTests {

	private ConfigurableApplicationContext context;

	private InFlightRequests requests;

	private TestApplication app;

	@BeforeEach
	void start() {
		this.context = ReactorNettyApplication.of(TestApplication.class).run("--server.port=0",
				"--management.endpoint.health.probes.add-additional-paths=true");
		this.requests = this.context.getBean(InFlightRequests.class);
		this.app = this.context.getBean(TestApplication.class);
	}

	@AfterEach
	void stop() {
		this.app.release.tryEmitEmpty();
		this.context.close();
	}

	@Test
	void deferredResponseStaysInFlightUntilItIsWritten() throws Exception {
		CompletableFuture<HttpResponse<String>> first = send("/deferred");
		CompletableFuture<HttpResponse<String>> second = send("/deferred");
		awaitCount(2);

		this.app.release.tryEmitEmpty();
		assertThat(first.get(10, TimeUnit.SECONDS).body()).isEqualTo("deferred done");
		assertThat(second.get(10, TimeUnit.SECONDS).body()).isEqualTo("deferred done");
		awaitCount(0);
		assertThat(this.requests.completed()).isEqualTo(2);
	}

	@Test
	void streamedResponseStaysInFlightUntilItsLastElement() throws Exception {
		CompletableFuture<HttpResponse<String>> streaming = send("/streaming");
		awaitCount(1);
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(this.requests::count, (n) -> n == 1);

		this.app.release.tryEmitEmpty();
		assertThat(streaming.get(10, TimeUnit.SECONDS).body()).isEqualTo("chunk 1\nchunk 2\n");
		awaitCount(0);
	}

	@Test
	void endlessEventStreamEndsWhenTheClientGoesAway() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", port())) {
			socket.getOutputStream()
				.write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			InputStream in = socket.getInputStream();
			String received = "";
			while (!received.contains("data:tick")) {
				byte[] chunk = new byte[256];
				int read = in.read(chunk);
				assertThat(read).as("the stream is open").isPositive();
				received += new String(chunk, 0, read, StandardCharsets.US_ASCII);
			}
			assertThat(this.requests.count()).as("an open event stream is in flight").isEqualTo(1);
		}
		// The cancellation reaches the filter through doFinally.
		awaitCount(0);
		assertThat(this.requests.completed()).isEqualTo(1);
	}

	@Test
	void concurrentExchangesAreEachCountedOnce() throws Exception {
		this.app.release.tryEmitEmpty();
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
	void failingExchangesEndToo() throws Exception {
		assertThat(send("/failing").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(500);
		assertThat(send("/missing").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(404);
		awaitCount(0);
		assertThat(this.requests.started()).isEqualTo(2);
		assertThat(this.requests.completed()).isEqualTo(2);
	}

	@Test
	void probesAndActuatorAreNotTraffic() throws Exception {
		assertThat(send("/readyz").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		assertThat(send("/livez").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		assertThat(send("/actuator/health").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		assertThat(this.requests.started()).isZero();
	}

	private CompletableFuture<HttpResponse<String>> send(String path) {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
			.timeout(Duration.ofSeconds(30))
			.build();
		// A connection per request: Reactor Netty 1.2 (Boot 3.5) can stop reading a keep-alive connection
		// after an actuator response (reactor-netty#4347).
		return HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofString());
	}

	private int port() {
		return this.context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
	}

	private void awaitCount(int expected) {
		await().atMost(Duration.ofSeconds(10)).until(this.requests::count, (count) -> count == expected);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@RestController
	static class TestApplication {

		final Sinks.Empty<Void> release = Sinks.empty();

		@GetMapping("/deferred")
		Mono<String> deferred() {
			return this.release.asMono().then(Mono.just("deferred done"));
		}

		@GetMapping("/streaming")
		Flux<String> streaming() {
			return Flux.concat(Mono.just("chunk 1\n"), this.release.asMono().then(Mono.just("chunk 2\n")));
		}

		@GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
		Flux<String> events() {
			// Ticks a slow reader has no room for are dropped, not an overflow error.
			return Flux.interval(Duration.ofMillis(50)).onBackpressureDrop().map((tick) -> "tick");
		}

		@GetMapping("/failing")
		Mono<String> failing() {
			return Mono.error(new IllegalStateException("failing on purpose"));
		}

	}

}
