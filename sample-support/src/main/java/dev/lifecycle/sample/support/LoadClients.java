package dev.lifecycle.sample.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Many clients, each sending one request per new TCP connection in a loop that ends by
 * itself, and classifying what it saw. The classes separate what a shutdown may do to a
 * client (refuse a connection) from what it must never do (accept one and then cut it).
 */
public final class LoadClients {

	public enum Outcome {

		/** A 2xx status line arrived. */
		OK,
		/** The connection was refused: the server was no longer listening. */
		REFUSED,
		/** A status line other than 2xx arrived. */
		NOT_OK,
		/** Connected, then reset before a status line arrived. */
		ACCEPTED_THEN_RESET,
		/** Connected, then closed before a status line arrived. */
		ACCEPTED_THEN_CLOSED,
		/** Connected, then no status line within the read timeout. */
		ACCEPTED_THEN_SILENT

	}

	private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

	private final Map<Outcome, AtomicLong> counts = new ConcurrentHashMap<>();

	private final AtomicLong firstRefusal = new AtomicLong(Long.MAX_VALUE);

	private final List<Thread> threads = new ArrayList<>();

	// When each request that was cut ended ({@link System#nanoTime()}), to tell failures apart.
	private final List<Long> cutAt = new CopyOnWriteArrayList<>();

	/**
	 * Starts the clients; each stops at the deadline or once {@code stop} holds.
	 * @param port where to connect on 127.0.0.1
	 * @param request the request line's target, such as {@code /work?ms=20}
	 */
	public static LoadClients start(int clients, int port, String request, Duration deadline, BooleanSupplier stop) {
		LoadClients load = new LoadClients();
		long end = System.nanoTime() + deadline.toNanos();
		for (int i = 0; i < clients; i++) {
			Thread thread = new Thread(() -> {
				while (System.nanoTime() < end && !stop.getAsBoolean()) {
					Outcome outcome = load.send(port, request);
					load.counts.computeIfAbsent(outcome, (key) -> new AtomicLong()).incrementAndGet();
					if (outcome != Outcome.OK && outcome != Outcome.REFUSED) {
						load.cutAt.add(System.nanoTime());
					}
					if (outcome == Outcome.REFUSED) {
						load.firstRefusal.accumulateAndGet(System.nanoTime(), Math::min);
						pause();
					}
				}
			}, "load-client-" + i);
			load.threads.add(thread);
			thread.start();
		}
		return load;
	}

	/** Waits for every client to stop and returns the counts, each outcome present. */
	public Map<Outcome, Long> awaitCounts() throws InterruptedException {
		for (Thread thread : this.threads) {
			thread.join();
		}
		Map<Outcome, Long> result = new TreeMap<>();
		for (Outcome outcome : Outcome.values()) {
			AtomicLong count = this.counts.get(outcome);
			result.put(outcome, (count != null) ? count.get() : 0);
		}
		return result;
	}

	/** When the first connection was refused ({@link System#nanoTime()}), if any was. */
	public long firstRefusal() {
		return this.firstRefusal.get();
	}

	/** When requests were cut, in milliseconds after the given moment. */
	public List<Long> cutMillisAfter(long nanos) {
		return this.cutAt.stream().map((at) -> TimeUnit.NANOSECONDS.toMillis(at - nanos)).sorted().toList();
	}

	private Outcome send(int port, String target) {
		try (Socket socket = new Socket()) {
			try {
				socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
			}
			catch (ConnectException ex) {
				return Outcome.REFUSED;
			}
			socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
			String request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n";
			socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
			String statusLine = readStatusLine(socket.getInputStream());
			if (statusLine == null) {
				return Outcome.ACCEPTED_THEN_CLOSED;
			}
			return statusLine.startsWith("HTTP/1.1 2") ? Outcome.OK : Outcome.NOT_OK;
		}
		catch (SocketTimeoutException ex) {
			return Outcome.ACCEPTED_THEN_SILENT;
		}
		catch (IOException ex) {
			return Outcome.ACCEPTED_THEN_RESET;
		}
	}

	private static String readStatusLine(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		for (int b = in.read(); b != -1; b = in.read()) {
			if (b == '\n') {
				return line.toString();
			}
			line.append((char) b);
		}
		return null;
	}

	private static void pause() {
		try {
			Thread.sleep(5);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
