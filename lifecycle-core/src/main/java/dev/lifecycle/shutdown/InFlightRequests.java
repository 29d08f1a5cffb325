package dev.lifecycle.shutdown;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;

/**
 * The requests the application is serving right now. A web stack adapter calls
 * {@link #begin} when a request arrives and {@link Request#end()} when its response is
 * complete, including for asynchronous and failed requests.
 */
public final class InFlightRequests {

	private static final long AWAIT_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

	private final Set<Request> running = ConcurrentHashMap.newKeySet();

	private final LongAdder started = new LongAdder();

	private final LongAdder completed = new LongAdder();

	private volatile long lastArrivalNanos = System.nanoTime();

	private volatile boolean endingStreams;

	/** Creates an empty record of requests, counting from zero. */
	public InFlightRequests() {
	}

	/**
	 * Records the arrival of a request.
	 *
	 * @param method its HTTP method
	 * @param path its path
	 * @return the handle that ends it
	 */
	public Request begin(String method, String path) {
		long now = System.nanoTime();
		Request request = new Request(method, path, now);
		this.lastArrivalNanos = now;
		this.started.increment();
		this.running.add(request);
		return request;
	}

	/** {@return the number of requests being served now} */
	public int count() {
		return this.running.size();
	}

	/** {@return the requests started since this instance was created} */
	public long started() {
		return this.started.sum();
	}

	/** {@return the requests completed since this instance was created} */
	public long completed() {
		return this.completed.sum();
	}

	/** {@link System#nanoTime()} of the most recent arrival. */
	long lastArrivalNanos() {
		return this.lastArrivalNanos;
	}

	/**
	 * Ends every open stream gracefully (see {@link Request#endStreamOnDrain}), and each
	 * stream registered from now on as soon as it is.
	 * @return how many streams were ended
	 */
	int endStreams() {
		this.endingStreams = true;
		int ended = 0;
		for (Request request : this.running) {
			ended += request.endStream() ? 1 : 0;
		}
		return ended;
	}

	/**
	 * Waits until no request is in flight, or the timeout runs out.
	 * @param timeout the longest wait
	 * @return whether none is in flight
	 * @throws InterruptedException if the waiting thread is interrupted
	 */
	boolean awaitNone(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!this.running.isEmpty()) {
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				return false;
			}
			TimeUnit.NANOSECONDS.sleep(Math.min(left, AWAIT_POLL_NANOS));
		}
		return true;
	}

	/** {@return the requests being served now, oldest first} */
	public List<Request> snapshot() {
		List<Request> requests = new ArrayList<>(this.running);
		requests.sort(Comparator.comparingLong((request) -> request.startNanos));
		return requests;
	}

	/**
	 * One request in flight. Identity matters: two requests for the same path are two
	 * entries.
	 */
	public final class Request {

		private final String method;

		private final String path;

		private final long startNanos;

		private final AtomicReference<@Nullable Runnable> streamEnd = new AtomicReference<>();

		private Request(String method, String path, long startNanos) {
			this.method = method;
			this.path = path;
			this.startNanos = startNanos;
		}

		/** {@return the request's HTTP method} */
		public String method() {
			return this.method;
		}

		/** {@return the request's path} */
		public String path() {
			return this.path;
		}

		/** {@return how long the request has been running} */
		public Duration age() {
			return Duration.ofNanos(System.nanoTime() - this.startNanos);
		}

		/**
		 * Declares this request a long-lived stream (server-sent events) and how to end it
		 * cleanly. Such a stream never finishes by itself, so the drain ends it at once: its
		 * client sees a complete response and reconnects, to another pod.
		 *
		 * @param end ends the stream cleanly
		 */
		public void endStreamOnDrain(Runnable end) {
			this.streamEnd.set(end);
			if (InFlightRequests.this.endingStreams) {
				endStream();
			}
		}

		private boolean endStream() {
			Runnable end = this.streamEnd.getAndSet(null);
			if (end != null) {
				end.run();
			}
			return end != null;
		}

		/** Marks the response complete. Safe to call more than once. */
		public void end() {
			if (InFlightRequests.this.running.remove(this)) {
				InFlightRequests.this.completed.increment();
			}
		}

		@Override
		public String toString() {
			return this.method + " " + this.path;
		}

	}

}
