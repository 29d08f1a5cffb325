package dev.lifecycle.sample.support;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.lifecycle.sample.support.LoadClients.Outcome;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many clients hammer a running app directly (no balancer to hide anything), a new
 * connection per {@code GET /work?ms=20}, while it receives SIGTERM: each request is
 * answered 2xx or its connection is refused after the delay, never accepted and then cut.
 * Both samples run the same check.
 */
public final class ShutdownUnderLoad {

	// Clients see the kernel's resets when a CPU runs them: 200 threads on two cores.
	private static final Duration CLOSE_RACE_WINDOW = Duration.ofMillis(250);

	private final int clients;

	private final Duration delay;

	private final long closeRaceResets;

	/**
	 * @param clients how many clients send requests at once
	 * @param delay the app's {@code lifecycle.shutdown.delay}
	 * @param closeRaceResets how many connections the kernel may reset as the listening
	 * socket closes (handshakes it completed after the server's last accept)
	 */
	public ShutdownUnderLoad(int clients, Duration delay, long closeRaceResets) {
		this.clients = clients;
		this.delay = delay;
		this.closeRaceResets = closeRaceResets;
	}

	/** Loads the app for two seconds, sends SIGTERM and checks every outcome. */
	public Map<Outcome, Long> verify(SampleProcess app) throws Exception {
		// Clients stop by themselves: once the app is gone, or after a minute at most.
		LoadClients load = LoadClients.start(this.clients, app.port(), "/work?ms=20", Duration.ofSeconds(60),
				() -> !app.isAlive());
		TimeUnit.SECONDS.sleep(2);
		long sigterm = app.terminate();
		int exitCode = app.awaitExit(Duration.ofSeconds(30));
		Map<Outcome, Long> counts = load.awaitCounts();
		Duration firstRefusal = Duration.ofNanos(load.firstRefusal() - sigterm);
		System.out.printf("%d clients through SIGTERM: %s; first refusal %d ms after SIGTERM; cut at %s ms%n",
				this.clients, counts, firstRefusal.toMillis(), load.cutMillisAfter(sigterm));

		assertThat(exitCode).isEqualTo(128 + 15);
		assertThat(counts.get(Outcome.OK)).as("served").isPositive();
		assertThat(counts.get(Outcome.REFUSED)).as("refused once the listener closed").isPositive();
		assertThat(firstRefusal).as("no connection refused during the delay").isGreaterThanOrEqualTo(this.delay);
		assertThat(counts).as("accepted and then cut, or answered with an error")
			.containsEntry(Outcome.NOT_OK, 0L)
			.containsEntry(Outcome.ACCEPTED_THEN_CLOSED, 0L)
			.containsEntry(Outcome.ACCEPTED_THEN_SILENT, 0L);
		// A handshake the kernel completes between the last accept and the close of the
		// listening socket is reset by the kernel; no user-space server can take it. Such
		// resets come in the instant the listener closes (the first refusal), never before
		// and never later in the drain.
		assertThat(counts.get(Outcome.ACCEPTED_THEN_RESET)).as("reset by the kernel at the listener's close")
			.isLessThanOrEqualTo(this.closeRaceResets);
		assertThat(load.cutMillisAfter(load.firstRefusal()))
			.as("resets, in ms after the first refusal: all at the listener's close")
			.allSatisfy((millis) -> assertThat(millis).isBetween(-CLOSE_RACE_WINDOW.toMillis(),
					CLOSE_RACE_WINDOW.toMillis()));
		assertThat(app.output()).contains("abandoned 0").doesNotContain(" ERROR ", "WARN");
		return counts;
	}

}
