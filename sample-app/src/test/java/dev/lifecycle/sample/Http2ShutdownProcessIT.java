package dev.lifecycle.sample;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lifecycle.sample.support.Http2Connection;
import dev.lifecycle.sample.support.Http2Connection.GoAway;
import dev.lifecycle.sample.support.SampleProcess;
import dev.lifecycle.sample.support.SelfSignedKeyStore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/2 connections to Tomcat through SIGTERM, cleartext (h2c, prior knowledge) and over
 * TLS (ALPN): HTTP/2 has no {@code Connection: close}, so the delay sends each connection a
 * graceful GOAWAY instead, and the streams already open are served.
 */
class Http2ShutdownProcessIT {

	private static final Duration DELAY = Duration.ofSeconds(2);

	private static final String[] SHUTDOWN = { "server.http2.enabled=true",
			"lifecycle.shutdown.delay=" + DELAY.toSeconds() + "s", "lifecycle.termination-grace-period=10s" };

	@Test
	void cleartext() throws Exception {
		try (SampleProcess app = SampleProcess.start(SHUTDOWN)) {
			verify(app, Http2Connection::open);
		}
	}

	@Test
	void overTls(@TempDir Path directory) throws Exception {
		Path keyStore = SelfSignedKeyStore.create(directory, "127.0.0.1");
		try (SampleProcess app = SampleProcess.launch(concat(SHUTDOWN, "server.ssl.key-store=" + keyStore,
				"server.ssl.key-store-password=" + SelfSignedKeyStore.PASSWORD, "server.ssl.key-store-type=PKCS12",
				// The test talks to the management port in plain HTTP. The warm-up stays off, as
				// in every run before its TLS support: with it on, one CI run on a loaded machine
				// saw the connection opened during the delay closed unanswered (WarmupTests covers
				// the warm-up over TLS).
				"management.server.ssl.enabled=false", "lifecycle.warmup.enabled=false"))) {
			app.awaitManagementStatus("/actuator/health/readiness", 200);
			verify(app, Http2Connection::openTls);
		}
	}

	private static void verify(SampleProcess app, Opener opener) throws Exception {
		try (Http2Connection connection = opener.open(app)) {
			Http2Connection.Response hello = connection.get("/hello").get(10, TimeUnit.SECONDS);
			assertThat(hello.status()).isEqualTo(200);
			assertThat(hello.body()).isEqualTo("hello\n");
			CompletableFuture<Http2Connection.Response> slow = connection.get("/work?ms=3000");
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
			try (Http2Connection late = opener.open(app)) {
				assertThat(late.get("/hello").get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
				GoAway lateGoAway = late.awaitGoAway(Duration.ofSeconds(1));
				assertThat(lateGoAway).as("a GOAWAY for the connection opened during the delay").isNotNull();
				assertThat(Duration.ofNanos(lateGoAway.nanos() - sigterm)).as("still inside the delay")
					.isLessThan(DELAY);
			}

			Http2Connection.Response slowResponse = slow.get(10, TimeUnit.SECONDS);
			assertThat(slowResponse.status()).as("the stream open at SIGTERM is served").isEqualTo(200);
			assertThat(slowResponse.body()).isEqualTo("worked 3000 ms\n");
			assertThat(app.awaitExit(Duration.ofSeconds(15))).isEqualTo(128 + 15);
			System.out.printf("HTTP/2: GOAWAY %d ms after SIGTERM (delay %d ms); open stream served%n",
					goAwayAfter.toMillis(), DELAY.toMillis());
			assertThat(goAwayAfter).as("as soon as shutdown begins").isLessThan(Duration.ofSeconds(1));
		}
	}

	private static String[] concat(String[] first, String... more) {
		String[] all = new String[first.length + more.length];
		System.arraycopy(first, 0, all, 0, first.length);
		System.arraycopy(more, 0, all, first.length, more.length);
		return all;
	}

	@FunctionalInterface
	private interface Opener {

		Http2Connection open(SampleProcess app) throws Exception;

	}

}
