import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.BasicHttpClientConnectionManager;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.EndpointDetails;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.TruncatedChunkException;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.Timeout;

/**
 * Records every request of a few small client streams with its time, outcome and reason, for
 * the rollout table and chart: keep-alive streams, new-connection streams and slow requests.
 * wrk and hey carry the volume; this client is the truth per request.
 *
 * <p>It speaks HTTP/1.1 through Apache HttpClient 5 (classic), as a Java service would: bodies
 * framed by a length, by chunks or by the connection's close; no body after HEAD, 204 and 304;
 * redirects answered, not followed; no retry; gzip only when asked. Each stream owns one
 * connection manager holding at most one connection: a keep-alive stream reuses it for as long
 * as the server keeps it open (and opens the next one after a {@code Connection: close}); a
 * new-connection stream sends {@code Connection: close} and never reuses one, as hey does.
 *
 * <pre>
 * Usage: java -cp HTTPCLIENT5_JARS:. RolloutClient --port PORT --seconds S --out EVENTS.csv [options]
 *   --path PATH              keep-alive and new-connection streams' path (default /hello)
 *   --slow-path PATH|none    slow streams' path (default /work?ms=1500)
 *   --method GET|HEAD        (default GET)
 *   --keepalive-streams N, --newconn-streams N, --slow-streams N   (default 1, 1, 2)
 *   --keepalive-pause-ms MS, --newconn-pause-ms MS, --slow-pause-ms MS
 *                            pause after every request: a steady rate, not a saturating loop
 *                            (default 5 ms each: the rollout's high traffic level)
 *   --requests N             each stream stops after N requests (default: no limit)
 *   --timeout-ms MS          no answer, or no byte of the body, for this long (default 10000, as wrk and hey)
 *   --gzip                   ask for gzip (Accept-Encoding) and decode it
 *   --stop-file FILE         stop as soon as FILE exists
 * </pre>
 *
 * Output, one line per request: {@code start_ms,client,outcome,latency_ms,status,framing,body_bytes,
 * local_port,reason}. outcome: ok (an answer below 400: a redirect or a 304 is the application's
 * answer), http_error (400 or more), refused, reset, closed_before_response,
 * closed_during_response, timeout, bad_response, io_error. framing: length, chunked, close (the
 * body ends with the connection), none (HEAD, 204, 304). local_port tells the connections apart.
 * A bug in the client (anything but an I/O failure) stops every stream, writes what was recorded
 * and exits with 1: a run must not go on with a column that silently stopped counting.
 */
public class RolloutClient {

	record Event(long startMillis, String client, String outcome, long latencyMillis, int status, String framing,
			long bodyBytes, int localPort, String reason) {

		String csv() {
			return startMillis + "," + client + "," + outcome + "," + latencyMillis + "," + status + "," + framing + ","
					+ bodyBytes + "," + localPort + "," + reason.replaceAll("[,\\r\\n]+", " ").strip();
		}

	}

	record Options(int port, long seconds, Path out, String path, String slowPath, String method, int keepAliveStreams,
			int newConnectionStreams, int slowStreams, long keepAlivePause, long newConnectionPause, long slowPause,
			long requests, long timeoutMillis, boolean gzip, Path stopFile) {

		static Options parse(String[] args) {
			Map<String, String> values = new LinkedHashMap<>();
			for (int i = 0; i < args.length; i++) {
				if (args[i].equals("--gzip")) {
					values.put("gzip", "true");
				}
				else if (args[i].startsWith("--") && i + 1 < args.length) {
					values.put(args[i].substring(2), args[++i]);
				}
				else {
					throw new IllegalArgumentException("unknown or incomplete option " + args[i]);
				}
			}
			String slowPath = values.getOrDefault("slow-path", "/work?ms=1500");
			Options options = new Options(Integer.parseInt(required(values, "port")),
					Long.parseLong(required(values, "seconds")), Path.of(required(values, "out")),
					values.getOrDefault("path", "/hello"), slowPath, values.getOrDefault("method", "GET"),
					Integer.parseInt(values.getOrDefault("keepalive-streams", "1")),
					Integer.parseInt(values.getOrDefault("newconn-streams", "1")),
					slowPath.equals("none") ? 0 : Integer.parseInt(values.getOrDefault("slow-streams", "2")),
					Long.parseLong(values.getOrDefault("keepalive-pause-ms", "5")),
					Long.parseLong(values.getOrDefault("newconn-pause-ms", "5")),
					Long.parseLong(values.getOrDefault("slow-pause-ms", "5")),
					Long.parseLong(values.getOrDefault("requests", String.valueOf(Long.MAX_VALUE))),
					Long.parseLong(values.getOrDefault("timeout-ms", "10000")), values.containsKey("gzip"),
					values.containsKey("stop-file") ? Path.of(values.get("stop-file")) : null);
			values.keySet()
				.removeAll(List.of("port", "seconds", "out", "path", "slow-path", "method", "keepalive-streams",
						"newconn-streams", "slow-streams", "keepalive-pause-ms", "newconn-pause-ms", "slow-pause-ms",
						"requests", "timeout-ms", "gzip", "stop-file"));
			if (!values.isEmpty()) {
				throw new IllegalArgumentException("unknown option(s) " + values.keySet());
			}
			if (!options.method.equals("GET") && !options.method.equals("HEAD")) {
				throw new IllegalArgumentException("--method is GET or HEAD, not " + options.method);
			}
			return options;
		}

		static String required(Map<String, String> values, String name) {
			String value = values.get(name);
			if (value == null) {
				throw new IllegalArgumentException("--" + name + " is required");
			}
			return value;
		}

	}

	/** What went wrong with one request, in the words of the table. */
	record Failure(String outcome, String reason) {
	}

	private static final String FRAMING = "rollout.framing";

	private final Options options;

	private final long deadline;

	private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();

	private final AtomicReference<Throwable> crash = new AtomicReference<>();

	RolloutClient(Options options) {
		this.options = options;
		this.deadline = System.currentTimeMillis() + options.seconds * 1000;
	}

	public static void main(String[] args) throws Exception {
		RolloutClient client = new RolloutClient(Options.parse(args));
		Throwable crash = client.run();
		if (crash != null) {
			System.err.println("RolloutClient crashed: the recorded requests were written, the run must fail");
			crash.printStackTrace();
			System.exit(1);
		}
	}

	Throwable run() throws IOException, InterruptedException {
		List<Thread> streams = new ArrayList<>();
		for (int i = 0; i < options.keepAliveStreams; i++) {
			streams.add(stream("keepalive", options.path, true, options.keepAlivePause));
		}
		for (int i = 0; i < options.newConnectionStreams; i++) {
			streams.add(stream("newconn", options.path, false, options.newConnectionPause));
		}
		for (int i = 0; i < options.slowStreams; i++) {
			streams.add(stream("slow", options.slowPath, false, options.slowPause));
		}
		streams.forEach(Thread::start);
		for (Thread stream : streams) {
			stream.join();
		}
		try (BufferedWriter writer = Files.newBufferedWriter(options.out)) {
			writer.write("start_ms,client,outcome,latency_ms,status,framing,body_bytes,local_port,reason\n");
			for (Event event : events) {
				writer.write(event.csv());
				writer.write('\n');
			}
		}
		return crash.get();
	}

	boolean running() {
		return crash.get() == null && System.currentTimeMillis() < deadline
				&& (options.stopFile == null || !Files.exists(options.stopFile));
	}

	Thread stream(String name, String path, boolean keepAlive, long pause) {
		Thread thread = new Thread(() -> {
			try (CloseableHttpClient client = client(keepAlive)) {
				for (long sent = 0; sent < options.requests && running(); sent++) {
					events.add(request(client, name, path, keepAlive));
					pace(pause);
				}
			}
			catch (Throwable ex) {
				crash.compareAndSet(null, ex);
			}
		}, name);
		thread.setDaemon(true);
		return thread;
	}

	CloseableHttpClient client(boolean keepAlive) {
		BasicHttpClientConnectionManager connections = new BasicHttpClientConnectionManager();
		connections.setConnectionConfig(ConnectionConfig.custom()
			.setConnectTimeout(Timeout.ofSeconds(2))
			.setSocketTimeout(Timeout.ofMilliseconds(options.timeoutMillis))
			.build());
		var builder = HttpClients.custom()
			.setConnectionManager(connections)
			.setDefaultRequestConfig(
					RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(options.timeoutMillis)).build())
			.disableAutomaticRetries()
			.disableRedirectHandling()
			.disableCookieManagement()
			// Sees the response as it came off the wire, before any gzip decoding rewrites its headers.
			.addResponseInterceptorFirst((response, entity, context) -> context.setAttribute(FRAMING,
					framing(response, entity != null)));
		if (!options.gzip) {
			builder.disableContentCompression();
		}
		if (!keepAlive) {
			builder.setConnectionReuseStrategy((request, response, context) -> false);
		}
		return builder.build();
	}

	static String framing(HttpResponse response, boolean hasBody) {
		if (!hasBody) {
			return "none";
		}
		if (response.containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
			return "chunked";
		}
		return response.containsHeader(HttpHeaders.CONTENT_LENGTH) ? "length" : "close";
	}

	Event request(CloseableHttpClient client, String name, String path, boolean keepAlive) {
		var request = ClassicRequestBuilder.create(options.method).setUri(path);
		if (!keepAlive) {
			request.addHeader(HttpHeaders.CONNECTION, "close");
		}
		HttpClientContext context = HttpClientContext.create();
		long start = System.currentTimeMillis();
		int status = 0;
		long bodyBytes = 0;
		boolean headReceived = false;
		try (ClassicHttpResponse response = client.executeOpen(new HttpHost("127.0.0.1", options.port),
				request.build(), context)) {
			headReceived = true;
			status = response.getCode();
			HttpEntity entity = response.getEntity();
			if (entity != null) {
				try (InputStream body = entity.getContent()) {
					// Read to its end, as a client would, and thrown away.
					bodyBytes = body.transferTo(OutputStream.nullOutputStream());
				}
			}
			String outcome = (status < 400) ? "ok" : "http_error";
			return new Event(start, name, outcome, System.currentTimeMillis() - start, status,
					String.valueOf(context.getAttribute(FRAMING)), bodyBytes, localPort(context),
					(status < 400) ? "" : "answered " + status);
		}
		catch (IOException ex) {
			Failure failure = classify(ex, headReceived);
			Object framing = context.getAttribute(FRAMING);
			return new Event(start, name, failure.outcome, System.currentTimeMillis() - start, status,
					(framing != null) ? framing.toString() : "-", bodyBytes, localPort(context), failure.reason);
		}
	}

	static int localPort(HttpContext context) {
		EndpointDetails endpoint = HttpClientContext.castOrCreate(context).getEndpointDetails();
		SocketAddress local = (endpoint != null) ? endpoint.getLocalAddress() : null;
		return (local instanceof InetSocketAddress address) ? address.getPort() : 0;
	}

	/** The outcome of an I/O failure, and whether it came before the response's head or during its body. */
	static Failure classify(IOException ex, boolean headReceived) {
		String when = headReceived ? "during the body" : "before the response";
		String detail = ex.getClass().getSimpleName() + ": " + ex.getMessage();
		if (ex instanceof ConnectTimeoutException) {
			return new Failure("timeout", "connect timeout: " + detail);
		}
		if (ex instanceof ConnectException) {
			return new Failure("refused", detail);
		}
		if (ex instanceof SocketTimeoutException || ex instanceof InterruptedIOException) {
			return new Failure("timeout", "no byte for the timeout " + when + ": " + detail);
		}
		if (ex instanceof NoHttpResponseException) {
			return new Failure("closed_before_response", detail);
		}
		if (ex instanceof ConnectionClosedException || ex instanceof TruncatedChunkException) {
			return new Failure(headReceived ? "closed_during_response" : "closed_before_response", detail);
		}
		if (ex instanceof MalformedChunkCodingException || ex instanceof ClientProtocolException
				|| ex.getCause() instanceof HttpException) {
			return new Failure("bad_response", detail);
		}
		String message = String.valueOf(ex.getMessage()).toLowerCase(Locale.ROOT);
		if (ex instanceof SocketException && (message.contains("reset") || message.contains("broken pipe"))) {
			return new Failure("reset", when + ": " + detail);
		}
		return new Failure("io_error", when + ": " + detail);
	}

	static void pace(long millis) throws InterruptedException {
		TimeUnit.MILLISECONDS.sleep(millis);
	}

}
