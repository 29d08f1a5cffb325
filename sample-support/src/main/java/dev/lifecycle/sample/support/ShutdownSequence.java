package dev.lifecycle.sample.support;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shutdown sequence as clients see it, checked phase by phase on a running app that
 * has a shutdown delay and serves {@code /hello} and {@code /work?ms=N}: readiness 503
 * soon after SIGTERM, requests served with {@code Connection: close} during the delay, new
 * connections refused after it, the in-flight request completed, exit code 143 and the
 * report line. The sample apps and the compatibility checks run the same sequence.
 */
public final class ShutdownSequence {

	private static final int SIGTERM_EXIT_CODE = 128 + 15;

	private final Duration delay;

	private final Duration slowRequest;

	/**
	 * @param delay the app's {@code lifecycle.shutdown.delay}
	 * @param slowRequest how long the request in flight at SIGTERM runs
	 */
	public ShutdownSequence(Duration delay, Duration slowRequest) {
		this.delay = delay;
		this.slowRequest = slowRequest;
	}

	/** Sends SIGTERM with one slow request in flight and checks every phase until exit. */
	public Timeline verify(SampleProcess app) throws Exception {
		CompletableFuture<HttpExchange> slow = app.getAsync("/work?ms=" + this.slowRequest.toMillis());
		app.awaitInFlight(1);
		long sigterm = app.terminate();

		assertThat(SampleProcess.await(Duration.ofSeconds(2), () -> app.status("/readyz") == 503))
			.as("readiness answers 503 after SIGTERM").isTrue();
		Duration readinessFlip = SampleProcess.since(sigterm);
		assertThat(readinessFlip).as("readiness answers 503 soon after SIGTERM").isLessThan(Duration.ofSeconds(1));

		HttpExchange duringDelay = app.get("/hello");
		assertThat(SampleProcess.since(sigterm)).as("still inside the delay").isLessThan(this.delay);
		assertThat(duringDelay.status()).isEqualTo(200);
		assertThat(duringDelay.closesConnection()).as("keep-alive clients are told to move").isTrue();

		assertThat(SampleProcess.await(this.delay.plusSeconds(4), app::refusesConnections))
			.as("new connections are refused once the drain begins").isTrue();
		Duration refused = SampleProcess.since(sigterm);
		assertThat(refused).as("not before the delay ends").isGreaterThanOrEqualTo(this.delay.minusMillis(100));

		HttpExchange slowResponse = slow.get(this.slowRequest.toSeconds() + 10, TimeUnit.SECONDS);
		assertThat(slowResponse.status()).as("the in-flight request completes").isEqualTo(200);
		assertThat(slowResponse.body()).isEqualTo("worked " + this.slowRequest.toMillis() + " ms\n");

		int exitCode = app.awaitExit(Duration.ofSeconds(30));
		Duration exit = SampleProcess.since(sigterm);
		assertThat(exitCode).isEqualTo(SIGTERM_EXIT_CODE);
		Duration bound = this.delay.plus(this.slowRequest).plusSeconds(1);
		assertThat(exit).as("delay + longest in-flight request + 1 s").isLessThan(bound);
		// The slow request, plus any probe request of the check that the drain caught in flight.
		assertThat(app.output()).contains("Shutdown complete in", "abandoned 0").containsPattern("drained [1-9]\\d* in");
		return new Timeline(readinessFlip, refused, exit, slowResponse);
	}

	/**
	 * When, after SIGTERM, readiness flipped, new connections were refused and the process
	 * exited; and the response to the request that was in flight.
	 */
	public record Timeline(Duration readinessFlip, Duration refused, Duration exit, HttpExchange slowResponse) {

		@Override
		public String toString() {
			return "SIGTERM to exit: " + this.exit.toMillis() + " ms (readiness 503 after "
					+ this.readinessFlip.toMillis() + " ms, refused after " + this.refused.toMillis() + " ms)";
		}

	}

}
