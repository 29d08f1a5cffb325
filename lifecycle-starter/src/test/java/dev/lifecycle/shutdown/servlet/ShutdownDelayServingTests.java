package dev.lifecycle.shutdown.servlet;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.lifecycle.sample.support.ResponseFraming;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownPhase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * During the delay the whole application still works, including what runs on Spring's
 * task executor, which shuts down on the same ContextClosedEvent that starts the delay,
 * and responses tell clients to move without losing their framing.
 */
class ShutdownDelayServingTests {

	private final HttpClient client = HttpClient.newHttpClient();

	@Test
	void asyncMvcAndAsyncMethodsAreServedDuringTheDelay() throws Exception {
		InDelay app = InDelay.start();
		int port = app.port();
		ShutdownCoordinator coordinator = app.coordinator();
		CompletableFuture<Void> closing = app.closing();
		assertThat(coordinator.phase()).isEqualTo(ShutdownPhase.DELAY);

		HttpResponse<String> callable = get(port, "/callable");
		assertThat(callable.statusCode()).isEqualTo(200);
		assertThat(callable.body()).isEqualTo("callable");
		assertThat(callable.headers().firstValue("Connection")).hasValue("close");
		HttpResponse<String> asyncMethod = get(port, "/async-method");
		assertThat(asyncMethod.statusCode()).isEqualTo(200);
		assertThat(asyncMethod.body()).startsWith("async on task-");
		assertThat(coordinator.phase()).as("still inside the delay").isEqualTo(ShutdownPhase.DELAY);
		closing.get(30, TimeUnit.SECONDS);
	}

	@Test
	void aPageOfUnknownLengthStaysChunkedAndItsConnectionClosesAfterIt() throws Exception {
		InDelay app = InDelay.start();
		int port = app.port();
		ShutdownCoordinator coordinator = app.coordinator();
		CompletableFuture<Void> closing = app.closing();

		ResponseFraming.Response page = ResponseFraming.get(port, "/page", "HTTP/1.1");
		assertThat(coordinator.phase()).as("still inside the delay").isEqualTo(ShutdownPhase.DELAY);
		assertThat(page.closesConnection()).isTrue();
		assertThat(page.framing()).as("not delimited by the close").isEqualTo(ResponseFraming.Framing.CHUNKED);
		assertThat(page.body()).endsWith("</html>\n");
		assertThat(page.serverClosed()).isTrue();
		closing.get(30, TimeUnit.SECONDS);
	}

	/**
	 * The application closing with a 3 s delay, once the delay has begun.
	 *
	 * @param port its port
	 * @param coordinator its shutdown sequence
	 * @param closing the close, on its own thread
	 */
	private record InDelay(int port, ShutdownCoordinator coordinator, CompletableFuture<Void> closing) {

		static InDelay start() {
			ConfigurableApplicationContext context = new SpringApplication(AsyncApplication.class).run("--server.port=0",
					"--lifecycle.shutdown.delay=3s");
			int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
			CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
			await().atMost(Duration.ofSeconds(10)).until(coordinator::phase, (phase) -> phase == ShutdownPhase.DELAY);
			return new InDelay(port, coordinator, closing);
		}

	}

	private HttpResponse<String> get(int port, String path) throws Exception {
		return this.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(5))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EnableAsync
	@Import({ AsyncWorker.class, AsyncController.class })
	static class AsyncApplication {

	}

	@RestController
	static class AsyncController {

		private final AsyncWorker worker;

		AsyncController(AsyncWorker worker) {
			this.worker = worker;
		}

		@GetMapping("/callable")
		Callable<String> callable() {
			return () -> "callable";
		}

		/** Flushed before it ends: its length is unknown when the response commits. */
		@GetMapping("/page")
		void page(HttpServletResponse response) throws IOException {
			PrintWriter page = response.getWriter();
			page.println("<html><body>");
			response.flushBuffer();
			page.println("</body></html>");
		}

		@GetMapping("/async-method")
		CompletableFuture<String> asyncMethod() {
			return this.worker.work();
		}

	}

	static class AsyncWorker {

		@Async
		public CompletableFuture<String> work() {
			return CompletableFuture.completedFuture("async on " + Thread.currentThread().getName());
		}

	}

}
