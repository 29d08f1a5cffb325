package dev.lifecycle.sample;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.H2cConnection;
import dev.lifecycle.sample.support.H2cConnection.GoAway;
import dev.lifecycle.sample.support.SampleProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/2 connections (h2c, prior knowledge) to Tomcat through SIGTERM: HTTP/2 has no
 * {@code Connection: close}, so the delay sends each connection a graceful GOAWAY instead,
 * and the streams already open are served.
 */
class Http2ShutdownProcessIT {

	private static final Duration DELAY = Duration.ofSeconds(2);

	@Test
	void eachConnectionGetsAGracefulGoAwayDuringTheDelayAndItsOpenStreamsAreServed() throws Exception {
		try (SampleProcess app = SampleProcess.start("server.http2.enabled=true",
				"lifecycle.shutdown.delay=" + DELAY.toSeconds() + "s", "lifecycle.termination-grace-period=10s");
				H2cConnection connection = H2cConnection.open(app)) {
			H2cConnection.Response hello = connection.get("/hello").get(10, TimeUnit.SECONDS);
			assertThat(hello.status()).isEqualTo(200);
			assertThat(hello.body()).isEqualTo("hello\n");
			CompletableFuture<H2cConnection.Response> slow = connection.get("/work?ms=3000");
			app.awaitInFlight(1);
			assertThat(connection.awaitGoAway(Duration.ZERO)).as("no GOAWAY while serving").isNull();

			long sigterm = app.terminate();
			GoAway goAway = connection.awaitGoAway(DELAY);
			assertThat(goAway).as("a GOAWAY during the delay").isNotNull();
			Duration goAwayAfter = Duration.ofNanos(goAway.nanos() - sigterm);
			assertThat(goAway.lastStreamId()).as("graceful: every open stream will be served")
				.isEqualTo(GoAway.MAX_STREAM_ID);
			assertThat(goAway.errorCode()).as("NO_ERROR").isZero();

			// A connection opened during the delay is served, then told to move too.
			try (H2cConnection late = H2cConnection.open(app)) {
				assertThat(late.get("/hello").get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
				GoAway lateGoAway = late.awaitGoAway(Duration.ofSeconds(1));
				assertThat(lateGoAway).as("a GOAWAY for the connection opened during the delay").isNotNull();
				assertThat(Duration.ofNanos(lateGoAway.nanos() - sigterm)).as("still inside the delay")
					.isLessThan(DELAY);
			}

			H2cConnection.Response slowResponse = slow.get(10, TimeUnit.SECONDS);
			assertThat(slowResponse.status()).as("the stream open at SIGTERM is served").isEqualTo(200);
			assertThat(slowResponse.body()).isEqualTo("worked 3000 ms\n");
			assertThat(app.awaitExit(Duration.ofSeconds(15))).isEqualTo(128 + 15);
			System.out.printf("HTTP/2: GOAWAY %d ms after SIGTERM (delay %d ms); open stream served%n",
					goAwayAfter.toMillis(), DELAY.toMillis());
			assertThat(goAwayAfter).as("as soon as shutdown begins").isLessThan(Duration.ofSeconds(1));
		}
	}

}
