package dev.lifecycle.sample;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

import javax.tools.ToolProvider;

import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The rollout's timestamped client ({@code bench/RolloutClient.java}) run as {@code bench/rollout.sh}
 * runs it, against a local server that writes each response byte by byte: every framing a real
 * application uses, and every way a connection can end badly, each with the outcome the client
 * must record.
 */
class RolloutClientTests {

	private static final String BODY = "<html><body>" + "row ".repeat(500) + "</body></html>";

	@TempDir
	static Path classes;

	@TempDir
	Path work;

	private RawHttpServer server;

	@BeforeAll
	static void compileTheClient() {
		int result = ToolProvider.getSystemJavaCompiler()
			.run(null, null, null, "-d", classes.toString(), "-cp", libraries(),
					ExternalCommand.REPOSITORY.resolve("bench/RolloutClient.java").toString());
		assertThat(result).as("javac bench/RolloutClient.java").isZero();
	}

	@AfterEach
	void stopServer() throws IOException {
		if (this.server != null) {
			this.server.close();
		}
	}

	@Test
	void keepAliveStreamReadsChunkedPagesOnOnePinnedConnection() throws Exception {
		this.server = new RawHttpServer((request, out) -> chunked(out, BODY, false));
		List<Row> rows = keepAlive("/page", 3);
		assertThat(rows).extracting(Row::outcome).containsExactly("ok", "ok", "ok");
		assertThat(rows).extracting(Row::framing).containsOnly("chunked");
		assertThat(rows).extracting(Row::bodyBytes).containsOnly((long) BODY.length());
		assertThat(rows.stream().map(Row::localPort).collect(Collectors.toSet())).hasSize(1).doesNotContain(0);
		assertThat(this.server.connections()).isEqualTo(1);
	}

	@Test
	void closeDelimitedBodiesAreReadToTheCloseAndTheNextRequestOpensAConnection() throws Exception {
		this.server = new RawHttpServer((request, out) -> {
			out.write(("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n" + BODY).getBytes(StandardCharsets.US_ASCII));
			return false;
		});
		List<Row> rows = keepAlive("/page", 3);
		assertThat(rows).extracting(Row::outcome).containsExactly("ok", "ok", "ok");
		assertThat(rows).extracting(Row::framing).containsOnly("close");
		assertThat(rows).extracting(Row::bodyBytes).containsOnly((long) BODY.length());
		assertThat(this.server.connections()).isEqualTo(3);
	}

	@Test
	void noContentAndNotModifiedHaveNoBodyEvenWithALength() throws Exception {
		this.server = new RawHttpServer((request, out) -> {
			// A 304 may carry the length of the representation it stands for: no body follows.
			String head = request.startsWith("GET /no-content") ? "HTTP/1.1 204 No Content\r\n\r\n"
					: "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 5000\r\n\r\n";
			out.write(head.getBytes(StandardCharsets.US_ASCII));
			return true;
		});
		List<Row> noContent = keepAlive("/no-content", 3);
		List<Row> notModified = keepAlive("/not-modified", 3);
		assertThat(noContent).extracting(Row::status).containsExactly(204, 204, 204);
		assertThat(notModified).extracting(Row::status).containsExactly(304, 304, 304);
		assertThat(List.of(noContent, notModified)).allSatisfy((rows) -> {
			assertThat(rows).extracting(Row::outcome).containsOnly("ok");
			assertThat(rows).extracting(Row::framing).containsOnly("none");
			assertThat(rows).extracting(Row::latencyMillis).allMatch((millis) -> millis < 2000);
		});
		assertThat(this.server.connections()).as("one kept-alive connection per stream").isEqualTo(2);
	}

	@Test
	void headIsAnsweredWithoutABody() throws Exception {
		this.server = new RawHttpServer((request, out) -> {
			out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + BODY.length() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			return true;
		});
		List<Row> rows = run("/page", "--keepalive-streams", "1", "--newconn-streams", "0", "--method", "HEAD", "--requests", "3");
		assertThat(rows).extracting(Row::outcome).containsExactly("ok", "ok", "ok");
		assertThat(rows).extracting(Row::bodyBytes).containsOnly(0L);
		assertThat(this.server.requestLines()).allMatch((line) -> line.startsWith("HEAD /page "));
		assertThat(this.server.connections()).isEqualTo(1);
	}

	@Test
	void redirectsAreAnswersNotFollowed() throws Exception {
		this.server = new RawHttpServer((request, out) -> {
			out.write("HTTP/1.1 302 Found\r\nLocation: /login\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			return true;
		});
		List<Row> rows = keepAlive("/page", 2);
		assertThat(rows).extracting(Row::outcome).containsExactly("ok", "ok");
		assertThat(rows).extracting(Row::status).containsOnly(302);
		assertThat(this.server.requestLines()).noneMatch((line) -> line.contains("/login"));
	}

	@Test
	void newConnectionStreamOpensOneConnectionPerRequestAndSaysSo() throws Exception {
		this.server = new RawHttpServer((request, out) -> chunked(out, BODY, false));
		List<Row> rows = run("/page", "--keepalive-streams", "0", "--newconn-streams", "1", "--requests", "3");
		assertThat(rows).extracting(Row::client).containsOnly("newconn");
		assertThat(rows).extracting(Row::outcome).containsExactly("ok", "ok", "ok");
		assertThat(rows.stream().map(Row::localPort).collect(Collectors.toSet())).hasSize(3);
		assertThat(this.server.connections()).isEqualTo(3);
		assertThat(this.server.requests()).allMatch((request) -> request.toLowerCase(Locale.ROOT).contains("connection: close"));
	}

	@Test
	void gzipIsAskedForOnlyWhenWantedAndDecoded() throws Exception {
		this.server = new RawHttpServer((request, out) -> chunked(out, BODY, request.toLowerCase(Locale.ROOT).contains("accept-encoding: gzip")));
		List<Row> plain = keepAlive("/page", 1);
		List<Row> gzip = run("/page", "--keepalive-streams", "1", "--newconn-streams", "0", "--requests", "1", "--gzip");
		assertThat(plain).extracting(Row::bodyBytes).containsExactly((long) BODY.length());
		assertThat(gzip).extracting(Row::outcome).containsExactly("ok");
		assertThat(gzip).extracting(Row::bodyBytes).containsExactly((long) BODY.length());
		assertThat(this.server.requests().get(0).toLowerCase(Locale.ROOT)).doesNotContain("accept-encoding");
	}

	@Test
	void serverErrorsAreHttpErrorsWithTheirStatus() throws Exception {
		this.server = new RawHttpServer((request, out) -> {
			out.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy".getBytes(StandardCharsets.US_ASCII));
			return true;
		});
		List<Row> rows = keepAlive("/page", 2);
		assertThat(rows).extracting(Row::outcome).containsExactly("http_error", "http_error");
		assertThat(rows).extracting(Row::status).containsOnly(503);
		assertThat(rows).extracting(Row::reason).containsOnly("answered 503");
	}

	@Test
	void aConnectionClosedBeforeTheAnswerIsClosedBeforeResponse() throws Exception {
		this.server = new RawHttpServer((request, out) -> false);
		List<Row> rows = keepAlive("/page", 2);
		assertThat(rows).extracting(Row::outcome).containsExactly("closed_before_response", "closed_before_response");
		assertThat(rows).extracting(Row::reason).allMatch((reason) -> reason.contains("NoHttpResponseException"));
	}

	@Test
	void bodiesCutShortAreClosedDuringResponseWhateverTheirFraming() throws Exception {
		this.server = new RawHttpServer((request, out) -> {
			if (request.startsWith("GET /chunked")) {
				out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n".getBytes(StandardCharsets.US_ASCII));
			}
			else {
				out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789".getBytes(StandardCharsets.US_ASCII));
			}
			return false;
		});
		List<Row> chunked = keepAlive("/chunked", 1);
		List<Row> length = keepAlive("/length", 1);
		assertThat(chunked).extracting(Row::outcome, Row::framing, Row::status).containsExactly(tuple("closed_during_response", "chunked", 200));
		assertThat(length).extracting(Row::outcome, Row::framing, Row::status).containsExactly(tuple("closed_during_response", "length", 200));
	}

	@Test
	void aResetIsReset() throws Exception {
		this.server = new RawHttpServer((request, out) -> {
			throw new ResetConnection();
		});
		List<Row> rows = keepAlive("/page", 2);
		assertThat(rows).extracting(Row::outcome).containsExactly("reset", "reset");
		assertThat(rows).extracting(Row::reason).allMatch((reason) -> reason.startsWith("before the response"));
	}

	@Test
	void aServerThatDoesNotAnswerInTimeIsATimeout() throws Exception {
		this.server = new RawHttpServer((request, out) -> {
			sleep(3000);
			return false;
		});
		List<Row> rows = run("/page", "--keepalive-streams", "1", "--newconn-streams", "0", "--requests", "1", "--timeout-ms", "500");
		assertThat(rows).extracting(Row::outcome).containsExactly("timeout");
		assertThat(rows.get(0).latencyMillis()).isBetween(400L, 2900L);
	}

	@Test
	void nothingListeningIsRefused() throws Exception {
		int port;
		try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = closed.getLocalPort();
		}
		List<Row> rows = run(port, "/page", "--keepalive-streams", "1", "--newconn-streams", "1", "--requests", "2");
		assertThat(rows).hasSize(4).extracting(Row::outcome).containsOnly("refused");
	}

	@Test
	void aClientBugFailsLoudly() throws Exception {
		this.server = new RawHttpServer((request, out) -> chunked(out, BODY, false));
		// A path no URI can hold makes the request builder throw: not an I/O failure, a client bug.
		ClientRun run = start(this.server.port(), "/page with spaces", "--requests", "2");
		assertThat(run.exitCode()).isEqualTo(1);
		assertThat(run.output()).contains("RolloutClient crashed");
		assertThat(this.work.resolve("events.csv")).exists();
	}

	private List<Row> keepAlive(String path, int requests) throws Exception {
		return run(path, "--keepalive-streams", "1", "--newconn-streams", "0", "--requests", String.valueOf(requests));
	}

	private List<Row> run(String path, String... options) throws Exception {
		return run(this.server.port(), path, options);
	}

	private List<Row> run(int port, String path, String... options) throws Exception {
		ClientRun run = start(port, path, options);
		assertThat(run.exitCode()).as(run.output()).isZero();
		return Files.readAllLines(this.work.resolve("events.csv")).stream().skip(1).map(Row::parse).toList();
	}

	private ClientRun start(int port, String path, String... options) throws Exception {
		Path events = this.work.resolve("events.csv");
		Files.deleteIfExists(events);
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-cp", classes + java.io.File.pathSeparator + libraries(), "RolloutClient", "--port",
				String.valueOf(port), "--seconds", "20", "--out", events.toString(), "--path", path, "--slow-path",
				"none", "--keepalive-pause-ms", "0", "--newconn-pause-ms", "0"));
		command.addAll(List.of(options));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		byte[] output = process.getInputStream().readAllBytes();
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		return new ClientRun(process.exitValue(), new String(output, StandardCharsets.UTF_8));
	}

	record ClientRun(int exitCode, String output) {
	}

	/** One line of events.csv. */
	record Row(long startMillis, String client, String outcome, long latencyMillis, int status, String framing,
			long bodyBytes, int localPort, String reason) {

		static Row parse(String line) {
			String[] fields = line.split(",", 9);
			return new Row(Long.parseLong(fields[0]), fields[1], fields[2], Long.parseLong(fields[3]),
					Integer.parseInt(fields[4]), fields[5], Long.parseLong(fields[6]), Integer.parseInt(fields[7]),
					fields[8]);
		}

	}

	/** HttpClient 5 and what it needs, from this test's class path: the versions Boot manages. */
	static String libraries() {
		return Set.of(HttpClients.class, HttpHost.class, HttpVersionPolicy.class, LoggerFactory.class)
			.stream()
			.map(RolloutClientTests::jarOf)
			.collect(Collectors.joining(java.io.File.pathSeparator));
	}

	private static String jarOf(Class<?> type) {
		try {
			return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static boolean chunked(OutputStream out, String body, boolean gzip) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
		if (gzip) {
			ByteArrayOutputStream compressed = new ByteArrayOutputStream();
			try (GZIPOutputStream zip = new GZIPOutputStream(compressed)) {
				zip.write(bytes);
			}
			bytes = compressed.toByteArray();
		}
		out.write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n"
				+ (gzip ? "Content-Encoding: gzip\r\n" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII));
		// Two chunks, as a template engine flushing part of a page would write them.
		int half = bytes.length / 2;
		for (int[] chunk : new int[][] { { 0, half }, { half, bytes.length } }) {
			out.write((Integer.toHexString(chunk[1] - chunk[0]) + "\r\n").getBytes(StandardCharsets.US_ASCII));
			out.write(bytes, chunk[0], chunk[1] - chunk[0]);
			out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
		}
		out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
		return true;
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Thrown by a handler to end its connection with a TCP reset. */
	static final class ResetConnection extends IOException {

	}

	/** Writes one response to a request (its head, as read); says whether the connection stays open. */
	@FunctionalInterface
	interface Responder {

		boolean respond(String request, OutputStream out) throws IOException;

	}

	/**
	 * An HTTP/1.1 server that writes exactly what its responder gives, so that each framing and
	 * each way of ending a connection is the one under test, not a server library's choice.
	 */
	static final class RawHttpServer implements AutoCloseable {

		private final ServerSocket socket;

		private final Responder responder;

		private final AtomicInteger connections = new AtomicInteger();

		private final List<String> requests = new CopyOnWriteArrayList<>();

		private final List<Socket> open = new CopyOnWriteArrayList<>();

		RawHttpServer(Responder responder) throws IOException {
			this.responder = responder;
			this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
			Thread acceptor = new Thread(this::accept, "raw-http-accept");
			acceptor.setDaemon(true);
			acceptor.start();
		}

		int port() {
			return this.socket.getLocalPort();
		}

		int connections() {
			return this.connections.get();
		}

		List<String> requests() {
			return this.requests;
		}

		List<String> requestLines() {
			return this.requests.stream().map((request) -> request.lines().findFirst().orElse("")).toList();
		}

		private void accept() {
			while (!this.socket.isClosed()) {
				try {
					Socket connection = this.socket.accept();
					this.connections.incrementAndGet();
					this.open.add(connection);
					Thread serve = new Thread(() -> serve(connection), "raw-http-connection");
					serve.setDaemon(true);
					serve.start();
				}
				catch (IOException ex) {
					return;
				}
			}
		}

		private void serve(Socket connection) {
			try (connection) {
				InputStream in = connection.getInputStream();
				OutputStream out = connection.getOutputStream();
				for (String request = head(in); request != null; request = head(in)) {
					this.requests.add(request);
					boolean keepOpen;
					try {
						keepOpen = this.responder.respond(request, out);
					}
					catch (ResetConnection ex) {
						connection.setSoLinger(true, 0);
						return;
					}
					out.flush();
					if (!keepOpen) {
						return;
					}
				}
			}
			catch (IOException ex) {
				// the client went away
			}
		}

		/** A request's head (the clients under test send no body), or null at the end of the stream. */
		private static String head(InputStream in) throws IOException {
			StringBuilder head = new StringBuilder();
			for (int b = in.read(); b != -1; b = in.read()) {
				head.append((char) b);
				if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
					return head.toString();
				}
			}
			return null;
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
			for (Socket connection : this.open) {
				connection.close();
			}
		}

	}

}
