package dev.lifecycle.sample.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a response delimits its body, read byte by byte as a load tool reads it: by chunks,
 * by a {@code Content-Length}, or by the server closing the connection, which a client
 * cannot tell from a cut. During the shutdown delay a response must still be framed while
 * it tells the client to move ({@code Connection: close}), and the server must then close
 * the connection.
 */
public final class ResponseFraming {

	/** The page the samples render with an unknown length: its last line. */
	private static final String PAGE_END = "</table></body></html>";

	private static final String PAGE = "/page?rows=2000";

	private ResponseFraming() {
	}

	/** How the body of a response is delimited. */
	public enum Framing {

		/** {@code Transfer-Encoding: chunked}. */
		CHUNKED,

		/** {@code Content-Length}. */
		CONTENT_LENGTH,

		/** Neither: the body ends when the server closes the connection. */
		CLOSE_DELIMITED

	}

	/**
	 * One response as the client saw it.
	 *
	 * @param version the HTTP version the client spoke
	 * @param path the path requested
	 * @param headers the response headers, names in lower case
	 * @param framing how the body was delimited
	 * @param body the body
	 * @param serverClosed whether the server closed the connection after the response
	 */
	public record Response(String version, String path, Map<String, String> headers, Framing framing, String body,
			boolean serverClosed) {

		/** {@return whether the response tells the client the connection ends with it} */
		public boolean closesConnection() {
			String connection = this.headers.getOrDefault("connection", "");
			if (this.version.equals("HTTP/1.0")) {
				// HTTP/1.0: a connection is kept only if the response says keep-alive.
				return !connection.equalsIgnoreCase("keep-alive");
			}
			return connection.equalsIgnoreCase("close");
		}

		@Override
		public String toString() {
			return this.version + " " + this.path + ": " + this.framing + (closesConnection() ? ", close" : "")
					+ (this.serverClosed ? ", closed by the server" : "");
		}

	}

	/**
	 * A GET on a new connection, asking to keep it alive.
	 *
	 * @param port the application's port
	 * @param path the path
	 * @param version {@code HTTP/1.1} or {@code HTTP/1.0}
	 * @return the response
	 * @throws IOException if the exchange failed
	 */
	public static Response get(int port, String path, String version) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
			socket.setSoTimeout(10_000);
			// HTTP/1.0 clients that reuse connections ask for it; HTTP/1.1 keeps them by default.
			String request = "GET " + path + " " + version + "\r\nHost: 127.0.0.1:" + port
					+ (version.equals("HTTP/1.0") ? "\r\nConnection: keep-alive" : "") + "\r\n\r\n";
			socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
			InputStream in = socket.getInputStream();
			HttpExchange.readStatus(in);
			Map<String, String> headers = HttpExchange.readHeaders(in);
			Framing framing;
			String body;
			if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
				framing = Framing.CHUNKED;
				body = HttpExchange.readChunked(in);
			}
			else if (headers.containsKey("content-length")) {
				framing = Framing.CONTENT_LENGTH;
				body = new String(in.readNBytes(Integer.parseInt(headers.get("content-length"))),
						StandardCharsets.UTF_8);
			}
			else {
				framing = Framing.CLOSE_DELIMITED;
				body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
			return new Response(version, path, headers, framing, body, serverCloses(socket, in));
		}
	}

	/**
	 * The check each web server runs on its packaged application, started with a delay of
	 * at least 3 s: a page of unknown length is chunked before SIGTERM; during the delay,
	 * over HTTP/1.1 and HTTP/1.0, every response says the connection ends, keeps its framing
	 * (chunks or a length; HTTP/1.0 has no chunks, so a body of unknown length may end with
	 * the connection there), arrives whole, and the server then closes the connection.
	 *
	 * @param app the application, ready
	 * @return what the client saw during the delay
	 * @throws Exception if an exchange failed
	 */
	public static List<Response> verifyThroughDelay(SampleProcess app) throws Exception {
		Response before = get(app.port(), PAGE, "HTTP/1.1");
		assertThat(before.framing()).as("a page of unknown length is chunked: %s", before).isEqualTo(Framing.CHUNKED);
		assertThat(before.closesConnection()).as("before SIGTERM: %s", before).isFalse();

		app.terminate();
		app.awaitStatus("/readyz", 503);
		// Boot flips readiness a moment before the starter's sequence begins; the delay's log line follows it.
		assertThat(SampleProcess.await(Duration.ofSeconds(5), () -> app.output().contains("Serving for up to")))
			.as("the delay began").isTrue();
		List<Response> duringDelay = new ArrayList<>();
		duringDelay.add(get(app.port(), PAGE, "HTTP/1.1"));
		duringDelay.add(get(app.port(), "/hello", "HTTP/1.1"));
		duringDelay.add(get(app.port(), PAGE, "HTTP/1.0"));
		duringDelay.add(get(app.port(), "/hello", "HTTP/1.0"));
		assertThat(app.isAlive()).as("still in the delay").isTrue();
		assertThat(app.refusesConnections()).as("still in the delay").isFalse();

		for (Response response : duringDelay) {
			assertThat(response.closesConnection()).as("tells the client to move: %s", response).isTrue();
			assertThat(response.serverClosed()).as("the server closes the connection after: %s", response).isTrue();
			if (response.path().equals(PAGE)) {
				assertThat(response.body()).as("the whole page: %s", response).endsWith(PAGE_END + "\n");
			}
			else {
				assertThat(response.framing()).as("a body of known length keeps it: %s", response)
					.isEqualTo(Framing.CONTENT_LENGTH);
				assertThat(response.body()).isEqualTo("hello\n");
			}
		}
		assertThat(duringDelay.get(0).framing()).as("HTTP/1.1 keeps the chunks: %s", duringDelay.get(0))
			.isEqualTo(Framing.CHUNKED);
		return duringDelay;
	}

	/** Whether the server closes the connection within a few seconds of a complete response. */
	private static boolean serverCloses(Socket socket, InputStream in) throws IOException {
		socket.setSoTimeout((int) Duration.ofSeconds(3).toMillis());
		try {
			return in.read() == -1;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (IOException ex) {
			// A reset is a close too, and the response was complete before it.
			return true;
		}
	}

}
