package dev.lifecycle.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.HttpExchange;
import dev.lifecycle.sample.support.SampleProcess;
import dev.lifecycle.sample.support.ShutdownSequence;
import dev.lifecycle.sample.support.ShutdownSequence.Timeline;

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
			Timeline timeline = new ShutdownSequence(Duration.ofSeconds(2), Duration.ofSeconds(4)).verify(app);
			System.out.println(timeline);
			assertThat(timeline.readinessFlip()).as("readiness answers 503 soon after SIGTERM")
				.isLessThan(Duration.ofMillis(500));
			assertThat(app.output()).contains("(budget 30 s)");
		}
	}

	@Test
	void requestOutlastingTheDrainTimeoutIsAbandonedAndReported() throws Exception {
		try (SampleProcess app = SampleProcess.start("lifecycle.termination-grace-period=8s",
				"lifecycle.shutdown.delay=1s", "lifecycle.shutdown.drain-timeout=2s")) {
			CompletableFuture<HttpExchange> endless = app.getAsync("/work?ms=30000");
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

}
