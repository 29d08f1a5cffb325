import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * Records every request of three small client streams with its time and outcome, for the
 * rollout chart: a keep-alive client, a new-connection client and slow requests. wrk and hey
 * carry the volume; this client says when failures happened and of what kind.
 *
 * Usage: java RolloutClient PORT SECONDS OUT.csv [PATH SLOW_PATH|none KEEPALIVE_PAUSE_MS
 * NEWCONN_PAUSE_MS SLOW_STREAMS SLOW_PAUSE_MS STOP_FILE]
 * Each stream pauses its PAUSE after every request: a steady rate, not a saturating loop (the
 * defaults, 5 ms and two slow streams, are the high traffic level). The streams end at SECONDS or
 * as soon as STOP_FILE exists, whichever comes first.
 * Output: start_ms,client,outcome,latency_ms with outcome one of ok, http_error, refused,
 * reset, timeout.
 */
public class RolloutClient {

	record Event(long startMillis, String client, String outcome, long latencyMillis) {
	}

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		long deadline = System.currentTimeMillis() + Long.parseLong(args[1]) * 1000;
		Path out = Path.of(args[2]);
		String path = arg(args, 3, "/hello");
		String slowPath = arg(args, 4, "/work?ms=1500");
		long keepAlivePause = Long.parseLong(arg(args, 5, "5"));
		long newConnectionPause = Long.parseLong(arg(args, 6, "5"));
		int slowStreams = slowPath.equals("none") ? 0 : Integer.parseInt(arg(args, 7, "2"));
		long slowPause = Long.parseLong(arg(args, 8, "5"));
		Path stopFile = (args.length > 9) ? Path.of(args[9]) : null;
		BooleanSupplier running = () -> System.currentTimeMillis() < deadline
				&& (stopFile == null || !Files.exists(stopFile));
		ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
		List<Thread> clients = new ArrayList<>();
		clients.add(new Thread(() -> keepAlive(port, path, keepAlivePause, running, events)));
		clients.add(new Thread(() -> newConnections(port, path, "newconn", newConnectionPause, running, events)));
		for (int i = 0; i < slowStreams; i++) {
			clients.add(new Thread(() -> newConnections(port, slowPath, "slow", slowPause, running, events)));
		}
		for (Thread client : clients) {
			client.start();
		}
		for (Thread client : clients) {
			client.join();
		}
		try (BufferedWriter writer = Files.newBufferedWriter(out)) {
			writer.write("start_ms,client,outcome,latency_ms\n");
			for (Event event : events) {
				writer.write(event.startMillis + "," + event.client + "," + event.outcome + "," + event.latencyMillis + "\n");
			}
		}
	}

	static String arg(String[] args, int index, String fallback) {
		return (args.length > index) ? args[index] : fallback;
	}

	/** One connection reused for as long as the server keeps it, like a pooled HTTP client. */
	static void keepAlive(int port, String path, long pause, BooleanSupplier running, ConcurrentLinkedQueue<Event> events) {
		Socket socket = null;
		while (running.getAsBoolean()) {
			long start = System.currentTimeMillis();
			String outcome;
			try {
				if (socket == null) {
					socket = connect(port);
				}
				Response response = exchange(socket, port, path);
				outcome = response.ok() ? "ok" : "http_error";
				if (response.close()) {
					socket.close();
					socket = null;
				}
			}
			catch (IOException ex) {
				outcome = classify(ex);
				closeQuietly(socket);
				socket = null;
			}
			events.add(new Event(start, "keepalive", outcome, System.currentTimeMillis() - start));
			pace(pause);
		}
		closeQuietly(socket);
	}

	static void newConnections(int port, String path, String client, long pause, BooleanSupplier running,
			ConcurrentLinkedQueue<Event> events) {
		while (running.getAsBoolean()) {
			long start = System.currentTimeMillis();
			String outcome;
			try (Socket socket = connect(port)) {
				outcome = exchange(socket, port, path).ok() ? "ok" : "http_error";
			}
			catch (IOException ex) {
				outcome = classify(ex);
			}
			events.add(new Event(start, client, outcome, System.currentTimeMillis() - start));
			pace(pause);
		}
	}

	record Response(boolean ok, boolean close) {
	}

	static Socket connect(int port) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
		socket.setSoTimeout(10_000);
		return socket;
	}

	static Response exchange(Socket socket, int port, String path) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		out.flush();
		InputStream in = socket.getInputStream();
		String status = line(in);
		if (status == null) {
			throw new IOException("closed before a response");
		}
		int length = 0;
		boolean close = false;
		for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
			String lower = header.toLowerCase(Locale.ROOT);
			if (lower.startsWith("content-length:")) {
				length = Integer.parseInt(lower.substring(15).trim());
			}
			close |= lower.startsWith("connection:") && lower.contains("close");
		}
		if (in.readNBytes(length).length < length) {
			throw new IOException("closed mid-body");
		}
		return new Response(status.split(" ")[1].startsWith("2"), close);
	}

	static String line(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		for (int b = in.read(); b != -1; b = in.read()) {
			if (b == '\n') {
				return line.toString().strip();
			}
			line.append((char) b);
		}
		return (line.length() > 0) ? line.toString() : null;
	}

	static void pace(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	static String classify(IOException ex) {
		if (ex instanceof ConnectException) {
			return "refused";
		}
		if (ex instanceof SocketTimeoutException) {
			return "timeout";
		}
		return "reset";
	}

	static void closeQuietly(Socket socket) {
		try {
			if (socket != null) {
				socket.close();
			}
		}
		catch (IOException ex) {
			// already broken
		}
	}

}
