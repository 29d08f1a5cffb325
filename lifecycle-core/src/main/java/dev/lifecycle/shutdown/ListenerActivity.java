package dev.lifecycle.shutdown;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The messages one broker's listeners are processing now, on which threads, and what they
 * finished or failed once shutdown began. Broker adapters call it around each listener
 * invocation, on the consumer thread.
 */
public final class ListenerActivity {

	private final Map<Thread, Delivery> inFlight = new ConcurrentHashMap<>();

	private final Map<String, LongAdder> finished = new ConcurrentHashMap<>();

	private final Map<String, LongAdder> failed = new ConcurrentHashMap<>();

	private final Map<String, Boolean> answeredRequests = new ConcurrentHashMap<>();

	private volatile boolean shutdownBegan;

	/**
	 * A listener started on the current thread.
	 * @param listener the listener container's id
	 * @param messages how many messages it was handed: 1, or a batch
	 * @param request whether the message asks for a reply (a reply address is set)
	 * @return the delivery, to end
	 */
	public Delivery started(String listener, int messages, boolean request) {
		if (request) {
			this.answeredRequests.putIfAbsent(listener, Boolean.TRUE);
		}
		Delivery delivery = new Delivery(listener, Thread.currentThread(), messages, System.nanoTime());
		this.inFlight.put(delivery.thread(), delivery);
		return delivery;
	}

	/**
	 * The listener returned or threw.
	 * @param delivery what {@link #started} returned
	 * @param success whether it returned normally
	 */
	public void ended(Delivery delivery, boolean success) {
		// Counted before it leaves the in-flight set, so that it is never in neither.
		if (this.shutdownBegan) {
			(success ? this.finished : this.failed).computeIfAbsent(delivery.listener(), (key) -> new LongAdder())
				.add(delivery.messages());
		}
		this.inFlight.remove(delivery.thread(), delivery);
	}

	/** From now on, what ends is counted for the report. */
	void shutdownBegan() {
		this.shutdownBegan = true;
	}

	/** {@return whether shutdown began: what ends now is counted} */
	public boolean isShuttingDown() {
		return this.shutdownBegan;
	}

	/**
	 * {@return whether the listener has received a message that asked for a reply: its
	 * callers wait for it like an HTTP client does}
	 * @param listener the listener container's id
	 */
	public boolean answersRequests(String listener) {
		return this.answeredRequests.containsKey(listener);
	}

	/** {@return the messages being processed now} */
	public int inProgress() {
		return this.inFlight.values().stream().mapToInt(Delivery::messages).sum();
	}

	/** {@return the messages finished since shutdown began, all listeners together} */
	public long finished() {
		return this.finished.values().stream().mapToLong(LongAdder::sum).sum();
	}

	/**
	 * {@return the messages a listener finished since shutdown began}
	 * @param listener the listener container's id
	 */
	public long finished(String listener) {
		LongAdder count = this.finished.get(listener);
		return (count != null) ? count.sum() : 0;
	}

	/**
	 * {@return the messages a listener failed (an interrupt included) since shutdown began}
	 * @param listener the listener container's id
	 */
	public long failed(String listener) {
		LongAdder count = this.failed.get(listener);
		return (count != null) ? count.sum() : 0;
	}

	/**
	 * {@return the listeners processing a message now}
	 * @param listener the listener container's id
	 */
	List<Delivery> inFlight(String listener) {
		return this.inFlight.values().stream().filter((delivery) -> delivery.listener().equals(listener)).toList();
	}

	/**
	 * Waits until each of these deliveries has ended, or the time is up.
	 * @param deliveries what was in the listeners
	 * @param nanos the longest wait
	 * @throws InterruptedException if the waiting thread is interrupted
	 */
	void awaitEnded(List<Delivery> deliveries, long nanos) throws InterruptedException {
		long deadline = System.nanoTime() + nanos;
		while (deliveries.stream().anyMatch((delivery) -> this.inFlight.get(delivery.thread()) == delivery)
				&& deadline - System.nanoTime() > 0) {
			TimeUnit.MILLISECONDS.sleep(5);
		}
	}

	/**
	 * Interrupts the threads still in a listener.
	 * @return what was interrupted
	 */
	List<Delivery> interruptAll() {
		List<Delivery> interrupted = new ArrayList<>(this.inFlight.values());
		interrupted.forEach((delivery) -> delivery.thread().interrupt());
		return interrupted;
	}

	/**
	 * A message, or a batch, in a listener.
	 *
	 * @param listener the listener container's id
	 * @param thread the consumer thread running the listener
	 * @param messages how many messages
	 * @param startedNanos when the listener was invoked, {@link System#nanoTime()}
	 */
	public record Delivery(String listener, Thread thread, int messages, long startedNanos) {

		/** {@return how long the listener has been running} */
		public Duration age() {
			return Duration.ofNanos(System.nanoTime() - this.startedNanos);
		}

	}

}
