package dev.lifecycle.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.HttpExchange;
import dev.lifecycle.sample.support.SampleProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Starts the packaged sample app as its own JVM, sends it a real SIGTERM and checks what
 * clients see, phase by phase.
 */
class GracefulShutdownProcessIT {

	private static final int SIGTERM_EXIT_CODE = 128 + 15;

	@Test
	void keepsServingDuringTheDelayThenDrainsAndExitsWithinTheBudget() throws Exception {
		try (SampleProcess app = SampleProcess.start("lifecycle.shutdown.delay=2s")) {
			CompletableFuture<HttpExchange> slow = getAsync(app, "/work?ms=4000");
			app.awaitInFlight(1);
			long sigterm = app.terminate();

			assertThat(SampleProcess.await(Duration.ofSeconds(2), () -> app.status("/readyz") == 503)).isTrue();
			Duration readinessFlip = SampleProcess.since(sigterm);
			assertThat(readinessFlip).as("readiness answers 503 soon after SIGTERM").isLessThan(Duration.ofMillis(500));

			HttpExchange duringDelay = app.get("/hello");
			assertThat(SampleProcess.since(sigterm)).as("still inside the delay").isLessThan(Duration.ofSeconds(2));
			assertThat(duringDelay.status()).isEqualTo(200);
			assertThat(duringDelay.closesConnection()).as("keep-alive clients are told to move").isTrue();

			assertThat(SampleProcess.await(Duration.ofSeconds(6), app::refusesConnections))
				.as("new connections are refused once the drain begins").isTrue();
			Duration refused = SampleProcess.since(sigterm);
			assertThat(refused).as("not before the delay ends").isGreaterThanOrEqualTo(Duration.ofMillis(1900));

			HttpExchange slowResponse = slow.get(10, TimeUnit.SECONDS);
			assertThat(slowResponse.status()).as("the in-flight request completes").isEqualTo(200);
			assertThat(slowResponse.body()).isEqualTo("worked 4000 ms\n");

			int exitCode = app.awaitExit(Duration.ofSeconds(30));
			Duration exit = SampleProcess.since(sigterm);
			System.out.printf("SIGTERM to exit: %d ms (readiness 503 after %d ms, refused after %d ms)%n",
					exit.toMillis(), readinessFlip.toMillis(), refused.toMillis());
			assertThat(exitCode).isEqualTo(SIGTERM_EXIT_CODE);
			assertThat(exit).as("delay (2 s) + longest in-flight request (4 s) + 1 s").isLessThan(Duration.ofSeconds(7));
			// The slow request, plus any probe request of this test that the drain caught in flight.
			assertThat(app.output()).contains("Shutdown complete in", "(budget 30 s)", "abandoned 0")
				.containsPattern("drained [1-9]\\d* in");
		}
	}

	@Test
	void requestOutlastingTheDrainTimeoutIsAbandonedAndReported() throws Exception {
		try (SampleProcess app = SampleProcess.start("lifecycle.termination-grace-period=8s",
				"lifecycle.shutdown.delay=1s", "lifecycle.shutdown.drain-timeout=2s")) {
			CompletableFuture<HttpExchange> endless = getAsync(app, "/work?ms=30000");
			app.awaitInFlight(1);
			long sigterm = app.terminate();

			int exitCode = app.awaitExit(Duration.ofSeconds(20));
			Duration exit = SampleProcess.since(sigterm);
			System.out.printf("SIGTERM to exit with an abandoned request: %d ms (budget 8000 ms)%n", exit.toMillis());
			assertThat(exitCode).isEqualTo(SIGTERM_EXIT_CODE);
			assertThat(exit).as("within the 8 s grace period").isLessThan(Duration.ofSeconds(8));

			Throwable clientSaw = catchThrowable(() -> {
				HttpExchange response = endless.get(5, TimeUnit.SECONDS);
				assertThat(response.status()).isNotEqualTo(200);
			});
			assertThat(clientSaw == null || clientSaw.getCause() instanceof UncheckedIOException)
				.as("the client's request was cut, not completed: %s", clientSaw).isTrue();
			assertThat(app.output()).contains("Abandoned GET /work after",
					"still running when the drain timeout (2s) ran out", "abandoned 1", "(budget 8 s)");
		}
	}

	private static CompletableFuture<HttpExchange> getAsync(SampleProcess app, String path) {
		return CompletableFuture.supplyAsync(() -> {
			try {
				return HttpExchange.get(app.port(), path, Duration.ofSeconds(60));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		});
	}

}
