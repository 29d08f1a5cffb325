package dev.lifecycle.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A replica for {@code bench/rollout.sh --jar} that starts in a blink, so that a test can run the
 * rollout matrix in seconds: it answers 200 on every path of {@code --server.port} and
 * {@code --management.server.port} (with a length, and chunked under {@code /chunked}), and stops
 * like plain Boot at SIGTERM. Given {@code --stub.launch-file}, each start counts itself there,
 * and the start numbered {@code --stub.never-ready-launch} answers
 * its readiness probe ({@code /readyz}) with 503 for good, as a replica that never becomes ready.
 */
public final class StubReplica {

	private StubReplica() {
	}

	public static void main(String[] args) throws IOException {
		Map<String, String> options = new HashMap<>();
		for (String arg : args) {
			int equals = arg.indexOf('=');
			if (arg.startsWith("--") && equals > 0) {
				options.put(arg.substring(2, equals), arg.substring(equals + 1));
			}
		}
		String launchFile = options.get("stub.launch-file");
		long launch = (launchFile != null) ? countLaunch(Path.of(launchFile)) : 0;
		String neverReadyLaunch = options.get("stub.never-ready-launch");
		boolean ready = neverReadyLaunch == null || launch != Long.parseLong(neverReadyLaunch);
		for (String port : new String[] { options.get("server.port"), options.get("management.server.port") }) {
			HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(port)), 50);
			server.createContext("/", (exchange) -> answer(exchange, ready || !exchange.getRequestURI().getPath().equals("/readyz")));
			server.createContext("/chunked", StubReplica::chunked);
			server.start();
		}
		System.out.println("Stub replica, launch " + launch + (ready ? "" : ", never ready"));
	}

	private static void answer(HttpExchange exchange, boolean ok) throws IOException {
		byte[] body = (ok ? "ok" : "not ready").getBytes(StandardCharsets.US_ASCII);
		exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

	/** A page of unknown length, as a template engine writes it: chunked. */
	private static void chunked(HttpExchange exchange) throws IOException {
		exchange.sendResponseHeaders(200, 0);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write("<html><body>".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			out.write("a page</body></html>".getBytes(StandardCharsets.US_ASCII));
		}
	}

	/** This start's number, counted under a file lock: the rollout starts its first replicas together. */
	private static long countLaunch(Path file) throws IOException {
		try (RandomAccessFile counter = new RandomAccessFile(file.toFile(), "rw");
				FileChannel channel = counter.getChannel();
				FileLock lock = channel.lock()) {
			long launch = ((counter.length() > 0) ? Long.parseLong(counter.readLine().trim()) : 0) + 1;
			counter.setLength(0);
			counter.writeBytes(launch + "\n");
			return launch;
		}
	}

}
