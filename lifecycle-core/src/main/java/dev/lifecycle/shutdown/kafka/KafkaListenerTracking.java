package dev.lifecycle.shutdown.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.kafka.listener.RecordInterceptor;
import org.springframework.kafka.support.KafkaHeaders;

import dev.lifecycle.shutdown.ListenerActivity;
import dev.lifecycle.shutdown.ListenerActivity.Delivery;

/**
 * Follows one listener container's records through its listener, around the interceptor
 * the application set, if any: which thread holds which records, what finished, and how
 * far each partition was fetched and processed, so that what a stop leaves uncommitted
 * can be counted.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
final class KafkaListenerTracking<K, V> implements RecordInterceptor<K, V>, BatchInterceptor<K, V> {

	private static final Duration OFFSET_LOOKUP_TIMEOUT = Duration.ofSeconds(2);

	private static final Duration POSITION_LOOKUP_TIMEOUT = Duration.ofMillis(100);

	private final String listener;

	private final ListenerActivity activity;

	private final @Nullable RecordInterceptor<K, V> recordDelegate;

	private final @Nullable BatchInterceptor<K, V> batchDelegate;

	// Per consumer thread: a container with concurrency > 1 shares its interceptor.
	private final ThreadLocal<ConsumerProgress> progress = ThreadLocal.withInitial(ConsumerProgress::new);

	KafkaListenerTracking(String listener, ListenerActivity activity, @Nullable RecordInterceptor<K, V> recordDelegate,
			@Nullable BatchInterceptor<K, V> batchDelegate) {
		this.listener = listener;
		this.activity = activity;
		this.recordDelegate = recordDelegate;
		this.batchDelegate = batchDelegate;
	}

	@Override
	public void setupThreadState(Consumer<?, ?> consumer) {
		this.progress.get().newPoll(consumer);
		if (this.recordDelegate != null) {
			this.recordDelegate.setupThreadState(consumer);
		}
		else if (this.batchDelegate != null) {
			this.batchDelegate.setupThreadState(consumer);
		}
	}

	@Override
	public void clearThreadState(Consumer<?, ?> consumer) {
		if (this.recordDelegate != null) {
			this.recordDelegate.clearThreadState(consumer);
		}
		else if (this.batchDelegate != null) {
			this.batchDelegate.clearThreadState(consumer);
		}
	}

	@Override
	public @Nullable ConsumerRecord<K, V> intercept(ConsumerRecord<K, V> record, Consumer<K, V> consumer) {
		ConsumerRecord<K, V> intercepted = (this.recordDelegate != null) ? this.recordDelegate.intercept(record, consumer)
				: record;
		if (intercepted != null) {
			ConsumerProgress progress = this.progress.get();
			progress.fetched(consumer);
			progress.delivery = this.activity.started(this.listener, 1,
					record.headers().lastHeader(KafkaHeaders.REPLY_TOPIC) != null);
		}
		return intercepted;
	}

	@Override
	public void success(ConsumerRecord<K, V> record, Consumer<K, V> consumer) {
		ended(true);
		this.progress.get().processed(record);
		if (this.recordDelegate != null) {
			this.recordDelegate.success(record, consumer);
		}
	}

	@Override
	public void failure(ConsumerRecord<K, V> record, Exception exception, Consumer<K, V> consumer) {
		ended(false);
		if (this.recordDelegate != null) {
			this.recordDelegate.failure(record, exception, consumer);
		}
	}

	@Override
	public void afterRecord(ConsumerRecord<K, V> record, Consumer<K, V> consumer) {
		if (this.recordDelegate != null) {
			this.recordDelegate.afterRecord(record, consumer);
		}
	}

	@Override
	public @Nullable ConsumerRecords<K, V> intercept(ConsumerRecords<K, V> records, Consumer<K, V> consumer) {
		ConsumerRecords<K, V> intercepted = (this.batchDelegate != null) ? this.batchDelegate.intercept(records, consumer)
				: records;
		if (intercepted != null && intercepted.count() > 0) {
			ConsumerProgress progress = this.progress.get();
			progress.fetched(consumer);
			boolean request = false;
			for (ConsumerRecord<K, V> record : intercepted) {
				request |= record.headers().lastHeader(KafkaHeaders.REPLY_TOPIC) != null;
			}
			progress.delivery = this.activity.started(this.listener, intercepted.count(), request);
		}
		return intercepted;
	}

	@Override
	public void success(ConsumerRecords<K, V> records, Consumer<K, V> consumer) {
		ended(true);
		records.forEach(this.progress.get()::processed);
		if (this.batchDelegate != null) {
			this.batchDelegate.success(records, consumer);
		}
	}

	@Override
	public void failure(ConsumerRecords<K, V> records, Exception exception, Consumer<K, V> consumer) {
		ended(false);
		if (this.batchDelegate != null) {
			this.batchDelegate.failure(records, exception, consumer);
		}
	}

	private void ended(boolean success) {
		ConsumerProgress progress = this.progress.get();
		if (progress.delivery != null) {
			this.activity.ended(progress.delivery, success);
			progress.delivery = null;
		}
	}

	/**
	 * Counts the records this consumer fetched that will not be committed: the next
	 * consumer of their partitions gets them again. Runs on the consumer thread as the
	 * container stops, before it commits what its listener finished.
	 * @param consumer the consumer
	 * @param partitions its partitions
	 * @return the records left for redelivery
	 */
	long uncommitted(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		ConsumerProgress progress = this.progress.get();
		Map<TopicPartition, Long> fetched = new HashMap<>(progress.fetchedUpTo);
		fetched.keySet().retainAll(partitions);
		Set<TopicPartition> noBaseline = new HashSet<>(fetched.keySet());
		noBaseline.removeAll(progress.doneUpTo.keySet());
		Map<TopicPartition, Long> baseline = new HashMap<>(progress.doneUpTo);
		if (!noBaseline.isEmpty()) {
			// Fetched in the first poll of an assignment: nothing was done before it but
			// what the group committed, or from the start of the partition.
			Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(noBaseline, OFFSET_LOOKUP_TIMEOUT);
			Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(noBaseline, OFFSET_LOOKUP_TIMEOUT);
			for (TopicPartition partition : noBaseline) {
				OffsetAndMetadata offset = committed.get(partition);
				baseline.put(partition, (offset != null) ? offset.offset() : beginnings.getOrDefault(partition, 0L));
			}
		}
		long uncommitted = 0;
		for (Map.Entry<TopicPartition, Long> partition : fetched.entrySet()) {
			long willBeCommitted = Math.max(baseline.get(partition.getKey()),
					progress.processedUpTo.getOrDefault(partition.getKey(), -1L));
			uncommitted += Math.max(0, partition.getValue() - willBeCommitted);
		}
		return uncommitted;
	}

	/** One consumer's fetch and processing positions. */
	private static final class ConsumerProgress {

		private final Map<TopicPartition, Long> fetchedUpTo = new HashMap<>();

		private final Map<TopicPartition, Long> processedUpTo = new HashMap<>();

		// Before a poll, the position is where the records not yet done begin: those before
		// it were processed (committed now or at the stop), or skipped by the error handler.
		private final Map<TopicPartition, Long> doneUpTo = new HashMap<>();

		private boolean pollSeen;

		private @Nullable Delivery delivery;

		void newPoll(Consumer<?, ?> consumer) {
			this.pollSeen = false;
			for (TopicPartition partition : consumer.assignment()) {
				try {
					this.doneUpTo.put(partition, consumer.position(partition, POSITION_LOOKUP_TIMEOUT));
				}
				catch (RuntimeException ex) {
					this.doneUpTo.remove(partition);
				}
			}
		}

		/**
		 * Once a poll: how far each partition was fetched. An error handler seeks back
		 * later; the records past the seek were fetched all the same, and go to the next
		 * consumer. Positions are local to the consumer once it polled: no broker call.
		 */
		void fetched(Consumer<?, ?> consumer) {
			if (this.pollSeen) {
				return;
			}
			this.pollSeen = true;
			for (TopicPartition partition : consumer.assignment()) {
				try {
					this.fetchedUpTo.put(partition, consumer.position(partition, POSITION_LOOKUP_TIMEOUT));
				}
				catch (RuntimeException ex) {
					// No position yet (just assigned): nothing fetched from it to count.
				}
			}
		}

		void processed(ConsumerRecord<?, ?> record) {
			this.processedUpTo.merge(new TopicPartition(record.topic(), record.partition()), record.offset() + 1,
					Math::max);
		}

	}

}
