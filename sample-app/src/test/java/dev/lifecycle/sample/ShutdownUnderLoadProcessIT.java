package dev.lifecycle.sample;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.LoadClients.Outcome;

import dev.lifecycle.sample.support.SampleProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 200 clients hammer the app directly (no balancer to hide anything) while it receives
 * SIGTERM: each request is answered 2xx or its connection is refused, never accepted and
 * then cut.
 */
class ShutdownUnderLoadProcessIT {

	private static final int CLIENTS = 200;

	private static final Duration DELAY = Duration.ofSeconds(2);

	@Test
	void everyRequestIsServedOrRefusedNeverAcceptedAndCut() throws Exception {
		try (SampleProcess app = SampleProcess.start("lifecycle.shutdown.delay=" + DELAY.toSeconds() + "s",
				"server.tomcat.threads.max=50")) {
			// Clients stop by themselves: once the app is gone, or after a minute at most.
			LoadClients load = LoadClients.start(CLIENTS, app.port(), "/work?ms=20", Duration.ofSeconds(60),
					() -> !app.isAlive());
			TimeUnit.SECONDS.sleep(2);
			long sigterm = app.terminate();
			int exitCode = app.awaitExit(Duration.ofSeconds(30));
			Map<Outcome, Long> counts = load.awaitCounts();
			Duration firstRefusal = Duration.ofNanos(load.firstRefusal() - sigterm);
			System.out.printf("%d clients through SIGTERM: %s; first refusal %d ms after SIGTERM; cut at %s ms%n",
					CLIENTS, counts, firstRefusal.toMillis(), load.cutMillisAfter(sigterm));

			assertThat(exitCode).isEqualTo(128 + 15);
			assertThat(counts.get(Outcome.OK)).as("served").isPositive();
			assertThat(counts.get(Outcome.REFUSED)).as("refused once the listener closed").isPositive();
			assertThat(firstRefusal).as("no connection refused during the delay").isGreaterThanOrEqualTo(DELAY);
			assertThat(counts).as("accepted and then cut, or answered with an error")
				.containsEntry(Outcome.NOT_OK, 0L)
				.containsEntry(Outcome.ACCEPTED_THEN_CLOSED, 0L)
				.containsEntry(Outcome.ACCEPTED_THEN_SILENT, 0L);
			// A handshake the kernel completes between the last accept and the close of the
			// listening socket is reset by the kernel; no user-space server can take it. About
			// one run in fifteen sees one. Before the backlog was served: about 100 a run.
			assertThat(counts.get(Outcome.ACCEPTED_THEN_RESET)).as("reset by the kernel at the listener's close")
				.isLessThanOrEqualTo(1L);
			assertThat(app.output()).contains("abandoned 0").doesNotContain(" ERROR ", "WARN");
		}
	}

}
