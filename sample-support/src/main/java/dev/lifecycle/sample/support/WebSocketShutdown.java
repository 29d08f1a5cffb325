package dev.lifecycle.sample.support;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * WebSocket sessions through a shutdown, as their clients see them, on a running app that
 * serves {@code /ws/echo}: sessions keep working during the delay, and new ones open; when the drain begins
 * a session gets close code 1001 (Going Away) before the process exits and is drained; the
 * session of a stuck client (it stopped reading, the server blocks writing to it) ends as
 * the server closes it, or is abandoned at the drain timeout and reported with its path,
 * and never holds the process longer. Both samples run the same check.
 */
public final class WebSocketShutdown {

	private static final int GOING_AWAY = 1001;

	private static final Pattern REPORT = Pattern.compile("drained (\\d+) in .*, abandoned (\\d+),");

	private final Duration delay;

	private final Duration drainTimeout;

	/**
	 * @param delay the app's {@code lifecycle.shutdown.delay}
	 * @param drainTimeout the app's {@code lifecycle.shutdown.drain-timeout}
	 */
	public WebSocketShutdown(Duration delay, Duration drainTimeout) {
		this.delay = delay;
		this.drainTimeout = drainTimeout;
	}

	/** Opens two sessions, sends SIGTERM and checks what their clients see until exit. */
	public void verify(SampleProcess app) throws Exception {
		try (EchoWebSocket polite = EchoWebSocket.open(app); EchoWebSocket stuck = EchoWebSocket.open(app)) {
			assertThat(polite.echo("before")).isEqualTo("before");
			assertThat(stuck.echo("before")).isEqualTo("before");
			stuck.stopReadingAndFlood();
			app.awaitInFlight(2);

			long sigterm = app.terminate();
			app.awaitStatus("/readyz", 503);
			assertThat(polite.echo("during the delay")).as("sessions keep working during the delay")
				.isEqualTo("during the delay");
			try (EchoWebSocket late = EchoWebSocket.open(app)) {
				assertThat(late.echo("opened during the delay")).as("a session opened during the delay works")
					.isEqualTo("opened during the delay");
			}
			assertThat(SampleProcess.since(sigterm)).as("still inside the delay").isLessThan(this.delay);

			EchoWebSocket.Close close = polite.serverClose().get(this.delay.toSeconds() + 5, TimeUnit.SECONDS);
			Duration closed = Duration.ofNanos(close.nanos() - sigterm);
			assertThat(close.code()).as("close code").isEqualTo(GOING_AWAY);
			assertThat(close.reason()).isNotBlank();
			assertThat(closed).as("the close comes when the drain begins, right after the delay")
				.isBetween(this.delay.minusMillis(100), this.delay.plusSeconds(1));
			assertThat(app.isAlive()).as("the close frame arrives before the process exits").isTrue();

			int exitCode = app.awaitExit(this.delay.plus(this.drainTimeout).plusSeconds(10));
			Duration exit = SampleProcess.since(sigterm);
			System.out.printf("WebSocket sessions got 1001 %d ms after SIGTERM (delay %d ms); exit after %d ms%n",
					closed.toMillis(), this.delay.toMillis(), exit.toMillis());
			assertThat(exitCode).isEqualTo(128 + 15);
			assertThat(exit).as("the stuck session holds the drain until its timeout at most")
				.isLessThan(this.delay.plus(this.drainTimeout).plusSeconds(3));
			assertThat(polite.failure()).as("the polite client saw a clean close, not an error").isNotDone();
			String output = app.output();
			assertThat(output).contains("Ending 2 long-lived stream(s)");
			Matcher report = REPORT.matcher(output);
			assertThat(report.find()).as("the report line").isTrue();
			System.out.println("Report: " + report.group());
			int drained = Integer.parseInt(report.group(1));
			int abandoned = Integer.parseInt(report.group(2));
			assertThat(drained + abandoned).as("both sessions are accounted for").isEqualTo(2);
			assertThat(output.split("Abandoned WEBSOCKET /ws/echo", -1)).as("each abandoned session is logged")
				.hasSize(abandoned + 1);
		}
	}

}
