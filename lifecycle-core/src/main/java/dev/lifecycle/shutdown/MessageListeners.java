package dev.lifecycle.shutdown;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.lifecycle.shutdown.ListenerActivity.Delivery;
import dev.lifecycle.shutdown.ShutdownReport.ListenerOutcome;

/**
 * One broker's message listener containers, as the shutdown sequence stops them: when
 * shutdown begins, each stops taking new messages and finishes those it holds, beside the
 * delay; containers that answer requests stop with the HTTP drain instead. All are
 * awaited up to the one deadline; what is still in a listener then is interrupted, so
 * its message is not acknowledged and goes back to the broker.
 *
 * @param <C> the broker's listener container type
 */
public abstract class MessageListeners<C> {

	private static final Logger logger = LoggerFactory.getLogger(MessageListeners.class);

	private final String broker;

	private final ListenerActivity activity = new ListenerActivity();

	private final Map<String, CompletableFuture<Void>> stopping = new ConcurrentHashMap<>();

	/**
	 * Creates the listeners of one broker.
	 * @param broker the broker's name in reports and meter tags: {@code kafka},
	 * {@code rabbitmq}
	 */
	protected MessageListeners(String broker) {
		this.broker = broker;
	}

	/** {@return the broker's name in reports and meter tags} */
	public final String broker() {
		return this.broker;
	}

	/** {@return what the listeners are processing, and what they finished} */
	public final ListenerActivity activity() {
		return this.activity;
	}

	/** {@return the listener containers of the application, now} */
	protected abstract Collection<? extends C> containers();

	/** {@return the listener containers of the application, now, for start-up checks} */
	public final Collection<? extends C> listenerContainers() {
		return containers();
	}

	/**
	 * {@return the container's id, as the application named it}
	 * @param container a container
	 */
	protected abstract String id(C container);

	/**
	 * {@return whether the container consumes now}
	 * @param container a container
	 */
	protected abstract boolean isRunning(C container);

	/**
	 * {@return whether the container receives the replies to requests this application
	 * sends: in-flight HTTP requests may wait for them}
	 * @param container a container
	 */
	protected abstract boolean receivesReplies(C container);

	/**
	 * Stops the container without blocking: it stops taking messages, finishes those its
	 * listeners hold, acknowledges or commits them, and then calls back.
	 * @param container a running container
	 * @param untilDeadline the time left until the deadline: the container's own shutdown
	 * timeout
	 * @param stopped to run once the container stopped
	 */
	protected abstract void stop(C container, Duration untilDeadline, Runnable stopped);

	/**
	 * {@return the messages the listener left for redelivery: not acknowledged or committed}
	 * The default counts those its listener failed, an interrupt included.
	 * @param id the container's id
	 */
	protected long redelivered(String id) {
		return this.activity.failed(id);
	}

	/**
	 * Phase 1: stops every container that takes part in no request/reply exchange.
	 * Consumers need no routing, so they stop taking messages at once and finish beside the
	 * delay.
	 * @param deadlineNanos the deadline, {@link System#nanoTime()}
	 * @return how many containers began to stop
	 */
	final int stopConsuming(long deadlineNanos) {
		this.activity.shutdownBegan();
		return stopWhere(deadlineNanos, (container) -> !answersRequests(container));
	}

	/**
	 * Phase 3: stops the containers left, those that answer requests or receive replies,
	 * as the web server stops accepting.
	 * @param deadlineNanos the deadline, {@link System#nanoTime()}
	 * @return how many containers began to stop
	 */
	final int stopAnsweringRequests(long deadlineNanos) {
		return stopWhere(deadlineNanos, (container) -> true);
	}

	private boolean answersRequests(C container) {
		return receivesReplies(container) || this.activity.answersRequests(id(container));
	}

	private int stopWhere(long deadlineNanos, Predicate<C> which) {
		int stopped = 0;
		for (C container : containers()) {
			String id = id(container);
			if (this.stopping.containsKey(id) || !isRunning(container) || !which.test(container)) {
				continue;
			}
			CompletableFuture<Void> done = new CompletableFuture<>();
			this.stopping.put(id, done);
			Duration left = Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
			try {
				stop(container, left, () -> done.complete(null));
				stopped++;
			}
			catch (RuntimeException ex) {
				logger.warn("Could not stop {} listener {}: {}", this.broker, id, ex.toString());
				done.complete(null);
			}
		}
		return stopped;
	}

	/**
	 * Phase 4c: waits for the containers to stop, up to the deadline; then interrupts the
	 * listeners still processing a message and waits a little more.
	 * @param deadlineNanos the deadline, {@link System#nanoTime()}
	 * @param interruptGrace how long interrupted listeners get to stop
	 * @return each container stopped during the shutdown, with what it finished and left
	 * @throws InterruptedException if the closing thread is interrupted
	 */
	final List<ListenerOutcome> await(long deadlineNanos, Duration interruptGrace) throws InterruptedException {
		CompletableFuture<Void> all = CompletableFuture.allOf(this.stopping.values().toArray(CompletableFuture[]::new));
		if (!waitFor(all, deadlineNanos - System.nanoTime())) {
			List<Delivery> interrupted = this.activity.interruptAll();
			for (Delivery delivery : interrupted) {
				logger.warn("Interrupting {} listener {} on {}: {} message(s) in it for {}, still running at the "
						+ "shutdown deadline; they go back to the broker", this.broker, delivery.listener(),
						delivery.thread().getName(), delivery.messages(), ShutdownReport.human(delivery.age()));
			}
			long graceEnd = System.nanoTime() + interruptGrace.toNanos();
			waitFor(all, interruptGrace.toNanos());
			// A container may call its stop callback before its interrupted listener has
			// ended (its own shutdown timeout is the same deadline): wait for the listeners.
			this.activity.awaitEnded(interrupted, graceEnd - System.nanoTime());
		}
		List<ListenerOutcome> outcomes = new ArrayList<>();
		this.stopping.forEach((id, done) -> {
			boolean stopped = done.isDone();
			// Still in the listener now: never acknowledged, so redelivered as well.
			long redelivered = redelivered(id)
					+ this.activity.inFlight(id).stream().mapToInt(Delivery::messages).sum();
			outcomes.add(new ListenerOutcome(this.broker, id, this.activity.finished(id), redelivered, stopped));
		});
		outcomes.sort(Comparator.comparing(ListenerOutcome::listener));
		return outcomes;
	}

	private static boolean waitFor(CompletableFuture<Void> all, long nanos) throws InterruptedException {
		try {
			all.get(Math.max(0, nanos), TimeUnit.NANOSECONDS);
			return true;
		}
		catch (TimeoutException ex) {
			return false;
		}
		catch (ExecutionException ex) {
			return true;
		}
	}

}
