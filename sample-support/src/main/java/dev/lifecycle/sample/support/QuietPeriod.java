package dev.lifecycle.sample.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quiet period on a packaged app, the same check on each web server: new connections
 * are the evidence that a load balancer still routes here, requests on a connection that
 * already existed are not, and nothing ends the delay before its floor. No check here
 * opens a connection during the delay: it would be evidence itself. What happened is read
 * from the report line, which names new connections only where the server reports them.
 */
public final class QuietPeriod {

	private static final Pattern DELAY = Pattern
		.compile("delay (\\d+(?:\\.\\d)?) (s|ms) \\(([a-z ,]+), (\\d+) requests arrived, (\\d+) new connections\\)");

	private QuietPeriod() {
	}

	/**
	 * One keep-alive client sends a request every 100 ms on its one connection through
	 * SIGTERM: the delay ends at its floor (3 s), not at its maximum (8 s), and no new
	 * connection was counted.
	 *
	 * @param server the server's name, for the printed figures
	 * @throws Exception if the app could not be run
	 */
	public static void aBusyKeepAliveConnectionAloneEndsTheDelayAtTheFloor(String server) throws Exception {
		ScheduledExecutorService clients = Executors.newSingleThreadScheduledExecutor();
		// Connection: close off, so the client can keep its one connection through the delay.
		try (SampleProcess app = SampleProcess.start("lifecycle.shutdown.delay=8s", "lifecycle.shutdown.quiet-period=500ms",
				"lifecycle.shutdown.min-delay=3s", "lifecycle.shutdown.connection-close=false")) {
			HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
			HttpRequest hello = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/hello")).build();
			AtomicInteger answered = new AtomicInteger();
			clients.scheduleWithFixedDelay(() -> {
				try {
					if (client.send(hello, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
						answered.incrementAndGet();
					}
				}
				catch (Exception ex) {
					// Once the drain closes the connection; the report says the rest.
				}
			}, 0, 100, TimeUnit.MILLISECONDS);
			SampleProcess.await(Duration.ofSeconds(10), () -> answered.get() >= 5);
			app.terminate();
			app.awaitExit(Duration.ofSeconds(30));

			Matcher delay = delayOf(app.output());
			System.out.println(server + ", one busy keep-alive connection, no new ones: " + delay.group());
			assertThat(delay.group(3)).isEqualTo("quiet period reached");
			assertThat(seconds(delay)).as("never before the floor").isGreaterThanOrEqualTo(3.0)
				.as("requests on the old connection did not hold it to its maximum").isLessThan(8.0);
			assertThat(Integer.parseInt(delay.group(4))).as("the client kept sending on its connection")
				.isGreaterThanOrEqualTo(10);
			assertThat(delay.group(5)).isEqualTo("0");
		}
		finally {
			clients.shutdownNow();
		}
	}

	/**
	 * A client opens a new connection for each request, every 200 ms, as behind an L4
	 * balancer: the delay runs to its maximum (4 s) and the report counts the connections.
	 *
	 * @param server the server's name, for the printed figures
	 * @throws Exception if the app could not be run
	 */
	public static void newConnectionsHoldTheDelayToItsMaximum(String server) throws Exception {
		ScheduledExecutorService clients = Executors.newSingleThreadScheduledExecutor();
		try (SampleProcess app = SampleProcess.start("lifecycle.shutdown.delay=4s", "lifecycle.shutdown.quiet-period=1s",
				"lifecycle.shutdown.min-delay=2s")) {
			clients.scheduleWithFixedDelay(() -> {
				try {
					HttpExchange.get(app.port(), "/hello", Duration.ofSeconds(2));
				}
				catch (Exception ex) {
					// Refused once the drain begins.
				}
			}, 0, 200, TimeUnit.MILLISECONDS);
			app.terminate();
			app.awaitExit(Duration.ofSeconds(30));

			Matcher delay = delayOf(app.output());
			System.out.println(server + ", a new connection every 200 ms: " + delay.group());
			assertThat(delay.group(3)).isEqualTo("elapsed");
			assertThat(seconds(delay)).isGreaterThanOrEqualTo(4.0);
			assertThat(Integer.parseInt(delay.group(5))).as("new connections during the delay").isGreaterThanOrEqualTo(5);
		}
		finally {
			clients.shutdownNow();
		}
	}

	private static Matcher delayOf(String output) {
		Matcher delay = DELAY.matcher(output);
		assertThat(delay.find()).as("the report line, with the new connections the server reported:\n%s", output)
			.isTrue();
		return delay;
	}

	private static double seconds(Matcher delay) {
		double value = Double.parseDouble(delay.group(1));
		return delay.group(2).equals("ms") ? value / 1000 : value;
	}

}
