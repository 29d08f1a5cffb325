package dev.lifecycle.sample.reactive;

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
 * Starts the packaged reactive sample app (WebFlux on Reactor Netty) as its own JVM, sends
 * it a real SIGTERM and checks what clients see, phase by phase: the same guarantees as
 * the servlet sample.
 */
class ReactiveGracefulShutdownProcessIT {

	private static final int SIGTERM_EXIT_CODE = 128 + 15;

	@Test
	void keepsServingDuringTheDelayThenDrainsAndExitsWithinTheBudget() throws Exception {
		try (SampleProcess app = SampleProcess.start("lifecycle.shutdown.delay=2s")) {
			assertThat(app.status("/livez")).as("liveness on the main port").isEqualTo(200);
			assertThat(app.status("/startupz")).as("startup on the main port").isEqualTo(200);
			assertThat(app.status("/work?ms=60001")).isEqualTo(400);
			assertThat(app.status("/work?ms=abc")).isEqualTo(400);

			Timeline timeline = new ShutdownSequence(Duration.ofSeconds(2), Duration.ofSeconds(4)).verify(app);
			System.out.println("Reactive: " + timeline);
			assertThat(timeline.slowResponse().closesConnection()).as("it answered after SIGTERM").isTrue();
			assertThat(app.output()).contains("(budget 30 s)");
		}
	}

	@Test
	void exchangeOutlastingTheDrainTimeoutIsAbandonedAndReported() throws Exception {
		try (SampleProcess app = SampleProcess.start("lifecycle.termination-grace-period=8s",
				"lifecycle.shutdown.delay=1s", "lifecycle.shutdown.drain-timeout=2s")) {
			CompletableFuture<HttpExchange> endless = app.getAsync("/work?ms=30000");
			app.awaitInFlight(1);
			long sigterm = app.terminate();

			int exitCode = app.awaitExit(Duration.ofSeconds(20));
			Duration exit = SampleProcess.since(sigterm);
			System.out.printf("Reactive: SIGTERM to exit with an abandoned exchange: %d ms (budget 8000 ms)%n",
					exit.toMillis());
			assertThat(exitCode).isEqualTo(SIGTERM_EXIT_CODE);
			assertThat(exit).as("delay (1 s) + drain timeout (2 s) + margin (2 s), within the 8 s grace period")
				.isLessThan(Duration.ofSeconds(5));

			Throwable clientSaw = catchThrowable(() -> {
				HttpExchange response = endless.get(5, TimeUnit.SECONDS);
				assertThat(response.status()).isNotEqualTo(200);
			});
			assertThat(clientSaw == null || clientSaw.getCause() instanceof UncheckedIOException)
				.as("the client's exchange was cut, not completed: %s", clientSaw).isTrue();
			assertThat(app.output()).contains("Abandoned GET /work after",
					"still running when the drain timeout (2s) ran out", "abandoned 1", "(budget 8 s)");
		}
	}

	@Test
	void openEventStreamIsServedThroughTheDelayThenEndedCleanlyWhenTheDrainBegins() throws Exception {
		try (SampleProcess app = SampleProcess.start("lifecycle.termination-grace-period=8s",
				"lifecycle.shutdown.delay=1s", "lifecycle.shutdown.drain-timeout=2s");
				EventStream events = EventStream.open(app.port(), "/events")) {
			assertThat(SampleProcess.await(Duration.ofSeconds(5), () -> events.events() >= 1)).isTrue();
			app.awaitInFlight(1);
			long sigterm = app.terminate();

			String end = events.end().get(20, TimeUnit.SECONDS);
			Duration streamEnded = Duration.ofNanos(events.endNanos() - sigterm);
			int exitCode = app.awaitExit(Duration.ofSeconds(20));
			Duration exit = SampleProcess.since(sigterm);
			System.out.printf("Reactive: event stream after SIGTERM: %d events, %s after %d ms; exit after %d ms%n",
					events.eventsAfter(sigterm), end, streamEnded.toMillis(), exit.toMillis());
			// A tick every 500 ms through the 1 s delay, then a complete response.
			assertThat(events.eventsAfter(sigterm)).as("events kept coming during the delay").isGreaterThanOrEqualTo(1);
			assertThat(end).isEqualTo("completed by the server");
			assertThat(streamEnded).as("ended when the drain began, after the 1 s delay")
				.isBetween(Duration.ofSeconds(1), Duration.ofMillis(1900));
			assertThat(exitCode).isEqualTo(SIGTERM_EXIT_CODE);
			assertThat(exit).as("nothing left to drain").isLessThan(Duration.ofSeconds(3));
			assertThat(app.output()).contains("Ending 1 long-lived stream(s)", "abandoned 0", "(budget 8 s)");
		}
	}

}
