package dev.lifecycle.autoconfigure.shutdown;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.MessageListenerContainer;

import dev.lifecycle.autoconfigure.InvalidLifecycleConfigurationException;
import dev.lifecycle.autoconfigure.InvalidLifecycleConfigurationException.Problem;
import dev.lifecycle.shutdown.ShutdownBudget;
import dev.lifecycle.shutdown.ShutdownBudget.Setting;
import dev.lifecycle.shutdown.kafka.KafkaMessageListeners;

/**
 * Checks the Kafka listener settings against the shutdown before the containers start:
 * a shutdown timeout the deadline cannot honour fails start-up; auto-commit, which commits
 * the records a shutdown cuts instead of leaving them for redelivery, is logged as a
 * warning.
 */
final class KafkaListenerSettings extends ListenerSettingsCheck {

	static final String AUTO_COMMIT = "spring.kafka.consumer.enable-auto-commit";

	private static final Logger logger = LoggerFactory.getLogger(KafkaListenerSettings.class);

	private final KafkaMessageListeners listeners;

	private final ObjectProvider<ShutdownBudget> budget;

	private final ObjectProvider<ConsumerFactory<?, ?>> consumerFactories;

	/** Before the listener containers start, and before the tracking is put in place. */
	KafkaListenerSettings(KafkaMessageListeners listeners, ObjectProvider<ShutdownBudget> budget,
			ObjectProvider<ConsumerFactory<?, ?>> consumerFactories) {
		super(AbstractMessageListenerContainer.DEFAULT_PHASE - 2);
		this.listeners = listeners;
		this.budget = budget;
		this.consumerFactories = consumerFactories;
	}

	@Override
	void check() {
		List<MessageListenerContainer> containers = List.copyOf(this.listeners.listenerContainers());
		if (containers.isEmpty()) {
			return;
		}
		checkShutdownTimeouts(containers);
		warnOfAutoCommit(containers);
	}

	private void checkShutdownTimeouts(List<MessageListenerContainer> containers) {
		ShutdownBudget budget = this.budget.getObject();
		Duration deadline = budget.deadline();
		List<Problem> problems = new ArrayList<>();
		for (MessageListenerContainer container : containers) {
			long timeout = container.getContainerProperties().getShutdownTimeout();
			// Spring's default is replaced by what is left until the deadline; a value the
			// application chose is not, so it must fit.
			if (timeout != ContainerProperties.DEFAULT_SHUTDOWN_TIMEOUT && timeout > deadline.toMillis()) {
				problems.add(new Problem("Kafka listener '" + container.getListenerId() + "' has a shutdown timeout of "
						+ Setting.format(Duration.ofMillis(timeout)) + " (ContainerProperties.setShutdownTimeout), more "
						+ "than the " + Setting.format(deadline) + " that " + budget.terminationGracePeriod()
						+ " leaves after " + budget.margin() + ": records still in its listener then would be "
						+ "waited for until Kubernetes kills the pod, uncommitted.",
						"Remove the setting (the starter stops the container by the shutdown deadline) or lower it to "
								+ Setting.format(deadline) + " or less; or raise the pod's terminationGracePeriodSeconds "
								+ "and " + ShutdownBudgetResolver.GRACE + " together."));
			}
		}
		if (!problems.isEmpty()) {
			throw new InvalidLifecycleConfigurationException(problems);
		}
	}

	private void warnOfAutoCommit(List<MessageListenerContainer> containers) {
		boolean factoryAutoCommits = this.consumerFactories.orderedStream()
			.anyMatch((factory) -> isTrue(factory.getConfigurationProperties().get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG)));
		for (MessageListenerContainer container : containers) {
			Object override = container.getContainerProperties()
				.getKafkaConsumerProperties()
				.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
			boolean autoCommits = (override != null) ? isTrue(override) : factoryAutoCommits;
			if (autoCommits) {
				logger.warn("Kafka listener '{}' has its consumer commit offsets by itself (enable.auto.commit=true, {}): "
						+ "as it closes it commits every record it fetched, processed or not, so the records a "
						+ "shutdown deadline cuts are lost instead of redelivered, and the shutdown report cannot "
						+ "count them. Set {}=false (Spring's default) and let the container commit what the "
						+ "listener finished.", container.getListenerId(), AUTO_COMMIT, AUTO_COMMIT);
			}
		}
	}

	private static boolean isTrue(Object value) {
		return value != null && Boolean.parseBoolean(value.toString());
	}

}
