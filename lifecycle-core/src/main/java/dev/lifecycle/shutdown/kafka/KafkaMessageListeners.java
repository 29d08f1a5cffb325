package dev.lifecycle.shutdown.kafka;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.event.ConsumerStoppingEvent;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.listener.RecordInterceptor;
import org.springframework.kafka.requestreply.ReplyingKafkaTemplate;
import org.springframework.util.Assert;
import org.springframework.util.ReflectionUtils;

import dev.lifecycle.shutdown.MessageListeners;

/**
 * The application's Kafka listener containers ({@code @KafkaListener} endpoints and
 * container beans) in the shutdown sequence. A stopping container finishes the records of
 * its last poll, commits them and leaves the group; a record still in its listener at the
 * deadline is interrupted, and it and the records after it stay uncommitted for the next
 * consumer of the partition.
 */
public final class KafkaMessageListeners extends MessageListeners<MessageListenerContainer>
		implements SmartLifecycle, ApplicationListener<ConsumerStoppingEvent> {

	// Spring Kafka 3 (on Boot 3) keeps these getters protected; Spring Kafka 4 made them public.
	static final Method RECORD_INTERCEPTOR = accessible("getRecordInterceptor");

	static final Method BATCH_INTERCEPTOR = accessible("getBatchInterceptor");

	private static final Logger logger = LoggerFactory.getLogger(KafkaMessageListeners.class);

	private final Supplier<Collection<MessageListenerContainer>> containers;

	private final Map<String, List<KafkaListenerTracking<?, ?>>> tracking = new ConcurrentHashMap<>();

	private final Map<String, LongAdder> uncommitted = new ConcurrentHashMap<>();

	private volatile boolean running;

	/**
	 * Creates the Kafka side of the shutdown sequence.
	 * @param containers the application's listener containers, those of the endpoint
	 * registry and the beans
	 */
	public KafkaMessageListeners(Supplier<Collection<MessageListenerContainer>> containers) {
		super("kafka");
		this.containers = containers;
	}

	@Override
	protected Collection<MessageListenerContainer> containers() {
		return this.containers.get();
	}

	@Override
	protected String id(MessageListenerContainer container) {
		return Objects.requireNonNullElse(container.getListenerId(), container.toString());
	}

	@Override
	protected boolean isRunning(MessageListenerContainer container) {
		return container.isRunning();
	}

	@Override
	protected boolean receivesReplies(MessageListenerContainer container) {
		return container.getContainerProperties().getMessageListener() instanceof ReplyingKafkaTemplate<?, ?, ?>;
	}

	@Override
	protected void stop(MessageListenerContainer container, Duration untilDeadline, Runnable stopped) {
		// A later synchronous stop (the context's own) waits no longer than the deadline.
		container.getContainerProperties().setShutdownTimeout(untilDeadline.toMillis());
		container.stop(stopped);
	}

	@Override
	protected long redelivered(String id) {
		LongAdder counted = this.uncommitted.get(id);
		return (counted != null) ? counted.sum() : super.redelivered(id);
	}

	/**
	 * Counts, as each consumer stops during the shutdown, the records it fetched that stay
	 * uncommitted. The event comes on the consumer's own thread, before its last commit.
	 */
	@Override
	public void onApplicationEvent(ConsumerStoppingEvent event) {
		if (!activity().isShuttingDown()) {
			return;
		}
		MessageListenerContainer container = event.getContainer(MessageListenerContainer.class);
		String id = id(container);
		List<KafkaListenerTracking<?, ?>> trackers = this.tracking.get(id);
		if (trackers == null) {
			return;
		}
		long count = 0;
		try {
			for (KafkaListenerTracking<?, ?> tracker : trackers) {
				count += tracker.uncommitted(event.getConsumer(), event.getPartitions());
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Could not count the uncommitted records of listener {}", id, ex);
			return;
		}
		this.uncommitted.computeIfAbsent(id, (key) -> new LongAdder()).add(count);
	}

	/**
	 * Puts the tracking interceptors in place before the listener containers start, around
	 * the interceptors the application set.
	 */
	@Override
	public void start() {
		for (MessageListenerContainer container : containers()) {
			if (container instanceof AbstractMessageListenerContainer<?, ?> amlc) {
				track(amlc);
			}
		}
		this.running = true;
	}

	@SuppressWarnings("unchecked")
	private <K, V> void track(AbstractMessageListenerContainer<K, V> container) {
		String id = id(container);
		RecordInterceptor<K, V> recordInterceptor = (RecordInterceptor<K, V>) invoke(RECORD_INTERCEPTOR, container);
		if (recordInterceptor instanceof KafkaListenerTracking<K, V>) {
			return;
		}
		KafkaListenerTracking<K, V> records = new KafkaListenerTracking<>(id, activity(), recordInterceptor, null);
		KafkaListenerTracking<K, V> batches = new KafkaListenerTracking<>(id, activity(), null,
				(BatchInterceptor<K, V>) invoke(BATCH_INTERCEPTOR, container));
		container.setRecordInterceptor(records);
		container.setBatchInterceptor(batches);
		List<KafkaListenerTracking<?, ?>> trackers = new ArrayList<>();
		trackers.add(records);
		trackers.add(batches);
		this.tracking.put(id, trackers);
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Just before the listener containers' phase: they start after the interceptors are in place. */
	@Override
	public int getPhase() {
		return AbstractMessageListenerContainer.DEFAULT_PHASE - 1;
	}

	@Override
	public String toString() {
		return "Kafka listeners " + this.tracking.keySet();
	}

	private static Method accessible(String getter) {
		Method method = ReflectionUtils.findMethod(AbstractMessageListenerContainer.class, getter);
		Assert.state(method != null, () -> "Spring Kafka's listener container has no " + getter + "()");
		ReflectionUtils.makeAccessible(method);
		return method;
	}

	private static @Nullable Object invoke(Method getter, AbstractMessageListenerContainer<?, ?> container) {
		return ReflectionUtils.invokeMethod(getter, container);
	}

	/** The getters read by reflection, for a native image. */
	public static final class Hints implements RuntimeHintsRegistrar {

		/** Created by Spring's AOT processing, named by {@code @ImportRuntimeHints}. */
		public Hints() {
		}

		@Override
		public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
			hints.reflection().registerMethod(RECORD_INTERCEPTOR, ExecutableMode.INVOKE);
			hints.reflection().registerMethod(BATCH_INTERCEPTOR, ExecutableMode.INVOKE);
		}

	}

}
