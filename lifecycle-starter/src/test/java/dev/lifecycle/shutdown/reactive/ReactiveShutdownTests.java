package dev.lifecycle.shutdown.reactive;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.lifecycle.shutdown.NewConnections;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownPhase;
import dev.lifecycle.shutdown.ShutdownReport;
import dev.lifecycle.shutdown.ShutdownReport.DelayEnd;
import dev.lifecycle.test.ReactorNettyApplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The shutdown sequence on Reactor Netty, in one JVM: the delay's responses and the abandon. */
class ReactiveShutdownTests {

	private ConfigurableApplicationContext context;

	private TestApplication app;

	@AfterEach
	void release() {
		if (this.app != null) {
			this.app.release.tryEmitEmpty();
		}
		if (this.context != null) {
			this.context.close();
		}
	}

	@Test
	void responsesDuringTheDelayCloseHttp1ConnectionsAndSendHttp2ClientsAway() throws Exception {
		start("--lifecycle.shutdown.delay=3s", "--server.http2.enabled=true");
		ShutdownCoordinator coordinator = this.context.getBean(ShutdownCoordinator.class);
		// The starter counts the connections Reactor Netty accepts, for the quiet period.
		NewConnections connections = this.context.getBean(NewConnections.class);
		HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
		CompletableFuture<HttpResponse<String>> arrivedBeforeShutdown = http1.sendAsync(request("/deferred"),
				HttpResponse.BodyHandlers.ofString());
		await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.requests().count() == 1);
		assertThat(http2.send(request("/hello"), HttpResponse.BodyHandlers.ofString()).version())
			.isEqualTo(HttpClient.Version.HTTP_2);
		long beforeShutdown = connections.count();
		http2.send(request("/hello"), HttpResponse.BodyHandlers.ofString());
		assertThat(connections.count()).as("HTTP/2 requests share one connection").isEqualTo(beforeShutdown);

		CompletableFuture<Void> closing = CompletableFuture.runAsync(this.context::close);
		await().atMost(Duration.ofSeconds(10)).until(coordinator::phase, (phase) -> phase == ShutdownPhase.DELAY);

		HttpResponse<String> duringDelay = http1.send(request("/hello"), HttpResponse.BodyHandlers.ofString());
		assertThat(duringDelay.statusCode()).isEqualTo(200);
		assertThat(duringDelay.headers().firstValue("Connection")).hasValue("close");
		assertThat(serverClosesConnectionAfterResponse()).as("Netty honours the header").isTrue();

		long beforeGoAway = connections.count();
		HttpResponse<String> overHttp2 = http2.send(request("/hello"), HttpResponse.BodyHandlers.ofString());
		assertThat(overHttp2.version()).isEqualTo(HttpClient.Version.HTTP_2);
		assertThat(overHttp2.statusCode()).isEqualTo(200);
		assertThat(overHttp2.headers().firstValue("Connection")).as("forbidden in HTTP/2").isEmpty();
		assertThat(connections.count()).as("served on the open connection").isEqualTo(beforeGoAway);
		// After the GOAWAY the client opens a new connection, which a load balancer would route elsewhere.
		await().atMost(Duration.ofSeconds(5))
			.ignoreExceptions()
			.until(() -> http2.send(request("/hello"), HttpResponse.BodyHandlers.ofString()).statusCode() == 200
					&& connections.count() > beforeGoAway);

		this.app.release.tryEmitEmpty();
		HttpResponse<String> late = arrivedBeforeShutdown.get(10, TimeUnit.SECONDS);
		assertThat(late.body()).isEqualTo("deferred done");
		assertThat(late.headers().firstValue("Connection")).as("decided when the response commits").hasValue("close");
		assertThat(coordinator.phase()).as("still inside the delay").isEqualTo(ShutdownPhase.DELAY);
		closing.get(30, TimeUnit.SECONDS);
	}

	@Test
	void connectionsStayOpenDuringTheDelayWhenConnectionCloseIsOff() throws Exception {
		start("--lifecycle.shutdown.delay=2s", "--lifecycle.shutdown.connection-close=false");
		ShutdownCoordinator coordinator = this.context.getBean(ShutdownCoordinator.class);
		CompletableFuture<Void> closing = CompletableFuture.runAsync(this.context::close);
		await().atMost(Duration.ofSeconds(10)).until(coordinator::phase, (phase) -> phase == ShutdownPhase.DELAY);

		HttpResponse<String> duringDelay = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.build()
			.send(request("/hello"), HttpResponse.BodyHandlers.ofString());
		assertThat(duringDelay.statusCode()).isEqualTo(200);
		assertThat(duringDelay.headers().firstValue("Connection")).isEmpty();
		assertThat(coordinator.phase()).as("still inside the delay").isEqualTo(ShutdownPhase.DELAY);
		closing.get(30, TimeUnit.SECONDS);
	}

	@Test
	void theQuietPeriodCountsNewConnectionsNotRequestsOnConnectionsAlreadyOpen() throws Exception {
		start("--lifecycle.shutdown.delay=6s", "--lifecycle.shutdown.quiet-period=300ms",
				"--lifecycle.shutdown.min-delay=1s", "--lifecycle.shutdown.connection-close=false");
		ShutdownCoordinator coordinator = this.context.getBean(ShutdownCoordinator.class);
		HttpClient keepAlive = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		keepAlive.send(request("/hello"), HttpResponse.BodyHandlers.ofString());
		CompletableFuture<Void> closing = CompletableFuture.runAsync(this.context::close);
		await().atMost(Duration.ofSeconds(10)).until(coordinator::phase, (phase) -> phase == ShutdownPhase.DELAY);
		HttpRequest hello = HttpRequest.newBuilder(request("/hello").uri()).timeout(Duration.ofSeconds(5)).build();
		while (coordinator.phase() == ShutdownPhase.DELAY) {
			try {
				keepAlive.send(hello, HttpResponse.BodyHandlers.ofString());
			}
			catch (IOException ex) {
				break;
			}
			TimeUnit.MILLISECONDS.sleep(50);
		}
		closing.get(30, TimeUnit.SECONDS);

		ShutdownReport report = coordinator.lastReport();
		assertThat(report.delayEnd()).isEqualTo(DelayEnd.QUIET);
		assertThat(report.delay()).as("the floor").isGreaterThanOrEqualTo(Duration.ofSeconds(1))
			.as("requests on the open connection did not hold it").isLessThan(Duration.ofSeconds(4));
		assertThat(report.servedDuringDelay()).isGreaterThan(5);
		assertThat(report.newConnectionsDuringDelay()).as("Reactor Netty reports its connections").isZero();
	}

	@Test
	void exchangeOutlastingTheDrainTimeoutIsAbandonedReportedAndCut() throws Exception {
		start("--lifecycle.shutdown.drain-timeout=500ms");
		ShutdownCoordinator coordinator = this.context.getBean(ShutdownCoordinator.class);
		CompletableFuture<HttpResponse<String>> endless = HttpClient.newHttpClient()
			.sendAsync(request("/deferred"), HttpResponse.BodyHandlers.ofString());
		await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.requests().count() == 1);

		this.context.close();

		ShutdownReport report = coordinator.lastReport();
		assertThat(report.abandoned()).singleElement()
			.satisfies((abandoned) -> assertThat(abandoned.path()).isEqualTo("/deferred"));
		assertThat(report.drain()).isGreaterThanOrEqualTo(Duration.ofMillis(500));
		assertThat(report.close()).as("no event-loop quiet period in the close phase").isLessThan(Duration.ofSeconds(1));
		assertThat(endless).as("the client's exchange was cut").failsWithin(Duration.ofSeconds(5));
	}

	private void start(String... args) {
		SpringApplication application = ReactorNettyApplication.of(TestApplication.class);
		String[] all = new String[args.length + 1];
		all[0] = "--server.port=0";
		System.arraycopy(args, 0, all, 1, args.length);
		this.context = application.run(all);
		this.app = this.context.getBean(TestApplication.class);
	}

	/** A raw HTTP/1.1 keep-alive request: true if the server closes the socket after answering. */
	private boolean serverClosesConnectionAfterResponse() throws IOException {
		try (Socket socket = new Socket("127.0.0.1", port())) {
			socket.setSoTimeout(5000);
			socket.getOutputStream()
				.write("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			InputStream in = socket.getInputStream();
			String received = new String(in.readNBytes(4096), StandardCharsets.US_ASCII);
			// readNBytes returns early only at end of stream, that is once the server closed.
			return received.startsWith("HTTP/1.1 200") && received.endsWith("hello");
		}
	}

	private HttpRequest request(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
			.timeout(Duration.ofSeconds(30))
			.build();
	}

	private int port() {
		return this.context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@RestController
	static class TestApplication {

		final Sinks.Empty<Void> release = Sinks.empty();

		@GetMapping("/hello")
		String hello() {
			return "hello";
		}

		@GetMapping("/deferred")
		Mono<String> deferred() {
			return this.release.asMono().then(Mono.just("deferred done"));
		}

	}

}
