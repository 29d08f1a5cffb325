package dev.lifecycle.shutdown;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import dev.lifecycle.shutdown.ShutdownReport.ListenerOutcome;
import dev.lifecycle.shutdown.ShutdownReport.Messages;

/**
 * The message listeners of every broker on the class path, under the shutdown's one
 * deadline.
 */
public final class MessageConsumers {

	private final Supplier<Stream<MessageListeners<?>>> brokers;

	/**
	 * Creates the consumers of the brokers the application uses.
	 * @param brokers the listeners of each broker, asked when the shutdown needs them
	 */
	public MessageConsumers(Supplier<Stream<MessageListeners<?>>> brokers) {
		this.brokers = brokers;
	}

	/** {@return consumers of no broker} */
	public static MessageConsumers none() {
		return new MessageConsumers(Stream::empty);
	}

	/** {@return the brokers whose listener containers the shutdown stops: {@code kafka}, {@code rabbitmq}} */
	public List<String> brokers() {
		return this.brokers.get().map(MessageListeners::broker).toList();
	}

	/**
	 * {@return the messages in a listener of one broker now}
	 * @param broker the broker
	 */
	public int inProgress(String broker) {
		return this.brokers.get()
			.filter((listeners) -> listeners.broker().equals(broker))
			.mapToInt((listeners) -> listeners.activity().inProgress())
			.sum();
	}

	/**
	 * {@return the messages listeners of one broker finished since shutdown began}
	 * @param broker the broker
	 */
	public long finished(String broker) {
		return this.brokers.get()
			.filter((listeners) -> listeners.broker().equals(broker))
			.mapToLong((listeners) -> listeners.activity().finished())
			.sum();
	}

	/** {@return the messages in a listener now, all brokers together} */
	public int inProgress() {
		return this.brokers.get().mapToInt((listeners) -> listeners.activity().inProgress()).sum();
	}

	/** {@return the messages finished since shutdown began, all brokers together} */
	public long finished() {
		return this.brokers.get().mapToLong((listeners) -> listeners.activity().finished()).sum();
	}

	int stopConsuming(long deadlineNanos) {
		return this.brokers.get().mapToInt((listeners) -> listeners.stopConsuming(deadlineNanos)).sum();
	}

	int stopAnsweringRequests(long deadlineNanos) {
		return this.brokers.get().mapToInt((listeners) -> listeners.stopAnsweringRequests(deadlineNanos)).sum();
	}

	Messages await(long deadlineNanos, Duration interruptGrace) throws InterruptedException {
		List<ListenerOutcome> outcomes = new ArrayList<>();
		for (MessageListeners<?> listeners : this.brokers.get().toList()) {
			outcomes.addAll(listeners.await(deadlineNanos, interruptGrace));
		}
		return Messages.of(outcomes);
	}

}
