package dev.lifecycle.sample.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client of a sample's {@code /ws/echo} endpoint, on the JDK's WebSocket client, that
 * records the close frame the server sends and when it arrived.
 */
public final class EchoWebSocket implements AutoCloseable {

	private final WebSocket socket;

	private final Listener listener;

	private EchoWebSocket(WebSocket socket, Listener listener) {
		this.socket = socket;
		this.listener = listener;
	}

	/** Opens a session. */
	public static EchoWebSocket open(SampleProcess app) throws Exception {
		Listener listener = new Listener();
		WebSocket socket = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.connectTimeout(Duration.ofSeconds(5))
			.buildAsync(URI.create("ws://127.0.0.1:" + app.port() + "/ws/echo"), listener)
			.get(10, TimeUnit.SECONDS);
		return new EchoWebSocket(socket, listener);
	}

	/** Sends a text message and returns the server's answer. */
	public String echo(String text) throws Exception {
		this.socket.sendText(text, true).get(5, TimeUnit.SECONDS);
		String answer = this.listener.messages.poll(5, TimeUnit.SECONDS);
		if (answer == null) {
			throw new AssertionError("No echo of '" + text + "' within 5 s");
		}
		return answer;
	}

	/**
	 * Stops reading and sends messages until the server, blocked writing their echoes,
	 * stops reading too: a stuck client, whose session cannot end by itself.
	 */
	public void stopReadingAndFlood() throws Exception {
		this.listener.reading = false;
		String message = "x".repeat(4096);
		for (int sent = 0; sent < 16_384; sent++) {
			try {
				this.socket.sendText(message, true).get(2, TimeUnit.SECONDS);
			}
			catch (TimeoutException ex) {
				return;
			}
		}
		throw new AssertionError("The server kept reading 64 MiB from a client that reads nothing");
	}

	/** The close frame the server sent, once it arrives. */
	public CompletableFuture<Close> serverClose() {
		return this.listener.close;
	}

	/** Whether the connection failed instead of closing with a close frame. */
	public CompletableFuture<Throwable> failure() {
		return this.listener.failure;
	}

	@Override
	public void close() {
		this.socket.abort();
	}

	/**
	 * A close frame from the server.
	 * @param code its status code
	 * @param reason its reason
	 * @param nanos when it arrived, on {@link System#nanoTime()}
	 */
	public record Close(int code, String reason, long nanos) {
	}

	private static final class Listener implements WebSocket.Listener {

		private volatile boolean reading = true;

		private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

		private final CompletableFuture<Close> close = new CompletableFuture<>();

		private final CompletableFuture<Throwable> failure = new CompletableFuture<>();

		private final StringBuilder partial = new StringBuilder();

		@Override
		public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
			this.partial.append(data);
			if (last) {
				this.messages.add(this.partial.toString());
				this.partial.setLength(0);
			}
			if (this.reading) {
				socket.request(1);
			}
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
			// Returning, the JDK's client answers with a close frame of its own.
			this.close.complete(new Close(statusCode, reason, System.nanoTime()));
			return null;
		}

		@Override
		public void onError(WebSocket socket, Throwable error) {
			this.failure.complete(error);
		}

	}

}
