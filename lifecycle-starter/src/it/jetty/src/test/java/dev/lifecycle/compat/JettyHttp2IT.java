package dev.lifecycle.compat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.Http2Connection;
import dev.lifecycle.sample.support.Http2Connection.GoAway;
import dev.lifecycle.sample.support.SampleProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What HTTP/2 clients of Jetty (h2c, prior knowledge) see through SIGTERM: the starter has
 * no way to send Jetty's connections a GOAWAY during the delay, so they get none then; the
 * stream open at SIGTERM is served, and Jetty's own graceful shutdown tells the client at
 * the drain.
 */
class JettyHttp2IT {

	private static final Duration DELAY = Duration.ofSeconds(2);

	@Test
	void noGoAwayDuringTheDelayOpenStreamServedAndJettysGoAwayAtTheDrain() throws Exception {
		try (SampleProcess app = SampleProcess.start("server.http2.enabled=true",
				"lifecycle.shutdown.delay=" + DELAY.toSeconds() + "s");
				Http2Connection connection = Http2Connection.open(app)) {
			assertThat(connection.get("/hello").get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
			CompletableFuture<Http2Connection.Response> slow = connection.get("/work?ms=3000");
			app.awaitInFlight(1);

			long sigterm = app.terminate();
			List<Long> goAwaysAfterMillis = new ArrayList<>();
			for (GoAway goAway = connection.awaitGoAway(Duration.ofSeconds(6)); goAway != null; goAway = connection
				.awaitGoAway(Duration.ofMillis(500))) {
				goAwaysAfterMillis.add(TimeUnit.NANOSECONDS.toMillis(goAway.nanos() - sigterm));
			}
			Http2Connection.Response slowResponse = slow.get(10, TimeUnit.SECONDS);
			assertThat(app.awaitExit(Duration.ofSeconds(15))).isEqualTo(128 + 15);
			System.out.println("Jetty, HTTP/2: GOAWAY at " + goAwaysAfterMillis + " ms after SIGTERM (delay "
					+ DELAY.toMillis() + " ms); the open stream answered " + slowResponse.status());

			assertThat(slowResponse.status()).as("the stream open at SIGTERM is served").isEqualTo(200);
			assertThat(goAwaysAfterMillis).as("Jetty's graceful shutdown sends a GOAWAY").isNotEmpty();
			assertThat(goAwaysAfterMillis.get(0)).as("none during the delay: the first comes with the drain")
				.isGreaterThanOrEqualTo(DELAY.toMillis() - 100);
		}
	}

}
