package dev.lifecycle.sample.reactive;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server-sent events client on its own connection that records when each event arrived
 * and how the stream ended, read on a thread of its own.
 */
final class EventStream implements AutoCloseable {

	private final Socket socket;

	private final List<Long> eventNanos = new CopyOnWriteArrayList<>();

	private final CompletableFuture<String> end = new CompletableFuture<>();

	private volatile long endNanos;

	private EventStream(Socket socket) {
		this.socket = socket;
	}

	static EventStream open(int port, String path) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		socket.setSoTimeout((int) Duration.ofSeconds(60).toMillis());
		socket.getOutputStream()
			.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept: text/event-stream\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
		EventStream stream = new EventStream(socket);
		Thread reader = new Thread(stream::read, "event-stream-reader");
		reader.setDaemon(true);
		reader.start();
		return stream;
	}

	private void read() {
		try (BufferedReader in = new BufferedReader(
				new InputStreamReader(this.socket.getInputStream(), StandardCharsets.UTF_8))) {
			for (String line = in.readLine(); line != null; line = in.readLine()) {
				if (line.startsWith("data:")) {
					this.eventNanos.add(System.nanoTime());
				}
				// The last chunk of a chunked body: the response is complete.
				if (line.equals("0")) {
					this.endNanos = System.nanoTime();
					this.end.complete("completed by the server");
					return;
				}
			}
			this.endNanos = System.nanoTime();
			this.end.complete("closed by the server");
		}
		catch (IOException ex) {
			this.endNanos = System.nanoTime();
			this.end.complete("failed: " + ex);
		}
	}

	/** Events received so far. */
	int events() {
		return this.eventNanos.size();
	}

	/** Events received after a moment taken from {@link System#nanoTime()}. */
	long eventsAfter(long nanos) {
		return this.eventNanos.stream().filter((at) -> at > nanos).count();
	}

	/** {@link System#nanoTime()} when the stream ended. */
	long endNanos() {
		return this.endNanos;
	}

	/** How the stream ended, once it has. */
	CompletableFuture<String> end() {
		return this.end;
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
