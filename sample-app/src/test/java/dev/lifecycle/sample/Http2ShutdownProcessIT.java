package dev.lifecycle.sample;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * graceful GOAWAY instead, and the streams already open are served; a connection opened
 * during the delay has its first requests served before its GOAWAY.
 */
class Http2ShutdownProcessIT {

	private static final Duration DELAY = Duration.ofSeconds(2);

	private static final String[] SHUTDOWN = { "server.http2.enabled=true",
			"lifecycle.shutdown.delay=" + DELAY.toSeconds() + "s", "lifecycle.termination-grace-period=10s" };

	private static final Duration LATE_DELAY = Duration.ofSeconds(4);

	private static final String[] LATE = { "server.http2.enabled=true",
			"lifecycle.shutdown.delay=" + LATE_DELAY.toSeconds() + "s", "lifecycle.termination-grace-period=15s" };

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
				// The test talks to the management port in plain HTTP.
				"management.server.ssl.enabled=false"))) {
			app.awaitManagementStatus("/actuator/health/readiness", 200);
			verify(app, Http2Connection::openTls);
		}
	}

	@Test
	void lateConnectionsThroughTheDelayUnderLoadCleartext() throws Exception {
		try (SampleProcess app = SampleProcess.start(LATE)) {
			verifyLateConnections(app, "h2c", Http2Connection::open);
		}
	}

	@Test
	void lateConnectionsThroughTheDelayUnderLoadOverTls(@TempDir Path directory) throws Exception {
		Path keyStore = SelfSignedKeyStore.create(directory, "127.0.0.1");
		try (SampleProcess app = SampleProcess.launch(concat(LATE, "server.ssl.key-store=" + keyStore,
				"server.ssl.key-store-password=" + SelfSignedKeyStore.PASSWORD, "server.ssl.key-store-type=PKCS12",
				"management.server.ssl.enabled=false"))) {
			app.awaitManagementStatus("/actuator/health/readiness", 200);
			verifyLateConnections(app, "TLS", Http2Connection::openTls);
		}
	}

	/**
	 * Through the delay, with every core busy, a new connection every 100 ms, each from a
	 * client that opens it ahead of its requests (as a pool does) and sends two together
	 * 300 ms later: each connection whose requests went out during the delay has them
	 * served, then gets its GOAWAY. (A request sent after the delay meets the drain, which refuses new streams
	 * as safe to retry elsewhere.)
	 */
	private static void verifyLateConnections(SampleProcess app, String transport, Opener opener) throws Exception {
		ExecutorService clients = Executors.newCachedThreadPool();
		List<Thread> load = new ArrayList<>();
		try {
			long sigterm = app.terminate();
			for (int i = 0; i < Runtime.getRuntime().availableProcessors() * 2; i++) {
				Thread spinner = new Thread(() -> {
					while (!Thread.currentThread().isInterrupted()) {
						Thread.onSpinWait();
					}
				});
				spinner.setDaemon(true);
				spinner.start();
				load.add(spinner);
			}
			List<Future<LateClient>> late = new ArrayList<>();
			Duration lastOpening = LATE_DELAY.minusMillis(1500);
			while (SampleProcess.since(sigterm).compareTo(lastOpening) < 0) {
				late.add(clients.submit(() -> LateClient.run(app, opener, sigterm)));
				TimeUnit.MILLISECONDS.sleep(100);
			}
			List<LateClient> outcomes = new ArrayList<>();
			for (Future<LateClient> client : late) {
				outcomes.add(client.get(20, TimeUnit.SECONDS));
			}
			load.forEach(Thread::interrupt);
			Duration delayEnd = LATE_DELAY.minusMillis(200);
			List<LateClient> duringDelay = outcomes.stream()
				.filter((client) -> client.requestsSent() != null && client.requestsSent().compareTo(delayEnd) < 0)
				.toList();
			long served = duringDelay.stream().filter(LateClient::served).count();
			long toldToMove = duringDelay.stream().filter(LateClient::toldToMove).count();
			System.out.printf("HTTP/2 (%s), connections opened during the delay under load: %d opened, %d sent their "
					+ "requests during the delay, %d of those served, %d got a GOAWAY before the drain; failures: %s%n",
					transport, outcomes.size(), duringDelay.size(), served, toldToMove,
					outcomes.stream().filter((client) -> !client.served()).map(LateClient::failure).toList());
			assertThat(duringDelay).as("connections that sent their requests during the delay")
				.hasSizeGreaterThanOrEqualTo(5);
			assertThat(served).as("each has its requests served; failures: %s",
					duringDelay.stream().filter((client) -> !client.served()).map(LateClient::failure).toList())
				.isEqualTo(duringDelay.size());
			assertThat(toldToMove).as("and is then told to move").isEqualTo(duringDelay.size());
			assertThat(app.awaitExit(Duration.ofSeconds(20))).isEqualTo(128 + 15);
		}
		finally {
			load.forEach(Thread::interrupt);
			clients.shutdownNow();
		}
	}

	private record LateClient(Duration requestsSent, boolean served, boolean toldToMove, String failure) {

		static LateClient run(SampleProcess app, Opener opener, long sigterm) {
			Duration sent = null;
			try (Http2Connection connection = opener.open(app)) {
				Duration opened = SampleProcess.since(sigterm);
				TimeUnit.MILLISECONDS.sleep(300);
				sent = SampleProcess.since(sigterm);
				List<CompletableFuture<Http2Connection.Response>> requests = connection.getAll("/hello", "/hello");
				CompletableFuture<Http2Connection.Response> first = requests.get(0);
				CompletableFuture<Http2Connection.Response> second = requests.get(1);
				String timing = "opened " + opened.toMillis() + " ms after SIGTERM, requests sent after "
						+ sent.toMillis() + " ms";
				try {
					int firstStatus = first.get(10, TimeUnit.SECONDS).status();
					int secondStatus = second.get(10, TimeUnit.SECONDS).status();
					if (firstStatus != 200 || secondStatus != 200) {
						return new LateClient(sent, false, false, "answered " + firstStatus + ", " + secondStatus
								+ ", " + timing);
					}
				}
				catch (Exception ex) {
					return new LateClient(sent, false, false, ex + ", " + timing);
				}
				GoAway goAway = connection.awaitGoAway(Duration.ofSeconds(2));
				boolean toldToMove = goAway != null && goAway.errorCode() == 0
						&& Duration.ofNanos(goAway.nanos() - sigterm).compareTo(LATE_DELAY) < 0;
				return new LateClient(sent, true, toldToMove, null);
			}
			catch (Exception ex) {
				return new LateClient(sent, false, false, ex.toString());
			}
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
