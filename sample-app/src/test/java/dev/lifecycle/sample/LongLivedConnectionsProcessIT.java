package dev.lifecycle.sample;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.SampleProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connections that do not end by themselves, open when SIGTERM arrives: a handler that
 * blocks, a client that never reads its download, a server-sent event stream and an idle
 * keep-alive connection.
 */
class LongLivedConnectionsProcessIT {

	private static final Duration DELAY = Duration.ofSeconds(1);

	private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(2);

	private static final Duration GRACE = Duration.ofSeconds(8);

	@Test
	void streamsEndCleanlyIdleConnectionsCloseAndWhatNeverEndsIsAbandonedAndReported() throws Exception {
		try (SampleProcess app = SampleProcess.start("lifecycle.shutdown.delay=" + DELAY.toSeconds() + "s",
				"lifecycle.shutdown.drain-timeout=" + DRAIN_TIMEOUT.toSeconds() + "s",
				"lifecycle.termination-grace-period=" + GRACE.toSeconds());
				Socket blocking = request(app, "/work?ms=30000");
				Socket slowReader = request(app, "/bytes?size=1073741824");
				Socket events = request(app, "/events");
				Socket idle = request(app, "/hello")) {
			InputStream eventStream = events.getInputStream();
			assertThat(readHead(eventStream)).contains("200", "text/event-stream", "chunked");
			assertThat(readChunk(eventStream)).contains("event:tick");
			assertThat(readHead(idle.getInputStream())).contains("200").doesNotContainIgnoringCase("connection: close");
			idle.getInputStream().readNBytes("hello\n".length());
			app.awaitInFlight(3);

			long sigterm = app.terminate();
			// A clean end: the chunked body's last chunk, so the client knows the stream ended.
			CompletableFuture<Duration> streamEnd = CompletableFuture.supplyAsync(() -> {
				try {
					while (!readChunk(eventStream).isEmpty()) {
						// ticks keep coming during the delay
					}
					return SampleProcess.since(sigterm);
				}
				catch (IOException ex) {
					throw new AssertionError("The event stream was cut instead of ended", ex);
				}
			});
			CompletableFuture<Integer> idleEnd = CompletableFuture.supplyAsync(() -> {
				try {
					return idle.getInputStream().read();
				}
				catch (IOException ex) {
					throw new AssertionError("The idle keep-alive connection was reset instead of closed", ex);
				}
			});
			int exitCode = app.awaitExit(GRACE);
			Duration exit = SampleProcess.since(sigterm);
			Duration streamEnded = streamEnd.get(1, TimeUnit.SECONDS);
			System.out.printf("Event stream ended %d ms after SIGTERM, exit after %d ms%n", streamEnded.toMillis(),
					exit.toMillis());

			assertThat(exitCode).isEqualTo(128 + 15);
			assertThat(streamEnded).as("the stream ends when the drain begins, right after the delay")
				.isBetween(DELAY, DELAY.plusSeconds(1));
			assertThat(idleEnd.get(1, TimeUnit.SECONDS)).as("end of stream on the idle connection").isEqualTo(-1);
			assertThat(exit).as("delay + drain timeout + a prompt close, inside the grace period")
				.isLessThan(DELAY.plus(DRAIN_TIMEOUT).plusSeconds(2));
			assertThat(app.output()).contains("Ending 1 long-lived stream(s)", "Abandoned GET /work",
					"Abandoned GET /bytes", "abandoned 2", "(budget 8 s)");
			assertThat(blocking.getInputStream().readAllBytes()).as("the blocked request's client gets no answer")
				.isEmpty();
		}
	}

	/** Sends a keep-alive GET on a new connection and leaves the response unread. */
	private static Socket request(SampleProcess app, String path) throws IOException {
		Socket socket = new Socket();
		// A small receive buffer, so that a client that does not read blocks the server soon.
		socket.setReceiveBufferSize(4096);
		socket.connect(new InetSocketAddress("127.0.0.1", app.port()), 5_000);
		socket.setSoTimeout(30_000);
		socket.getOutputStream()
			.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		return socket;
	}

	private static String readHead(InputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
			head.append(line).append('\n');
		}
		return head.toString();
	}

	/** One chunk of a chunked body; empty for the last chunk. */
	private static String readChunk(InputStream in) throws IOException {
		int size = Integer.parseInt(readLine(in).trim(), 16);
		String chunk = new String(in.readNBytes(size), StandardCharsets.UTF_8);
		readLine(in);
		return chunk;
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		for (int b = in.read(); b != '\n'; b = in.read()) {
			if (b == -1) {
				throw new IOException("Connection closed in the middle of a response");
			}
			line.write(b);
		}
		return line.toString(StandardCharsets.US_ASCII).stripTrailing();
	}

}
