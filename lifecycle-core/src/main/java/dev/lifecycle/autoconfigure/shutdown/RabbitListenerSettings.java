package dev.lifecycle.autoconfigure.shutdown;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

import dev.lifecycle.shutdown.rabbit.RabbitMessageListeners;

/**
 * Warns, before the RabbitMQ listener containers start, of an acknowledge mode that loses
 * messages at every shutdown: with {@code NONE}, the broker forgets each message as it
 * sends it, so the prefetched messages a stopping container has not processed are gone.
 */
final class RabbitListenerSettings extends ListenerSettingsCheck {

	private static final Logger logger = LoggerFactory.getLogger(RabbitListenerSettings.class);

	// Spring AMQP's default prefetch, when the property does not set one.
	private static final int DEFAULT_PREFETCH = 250;

	private final RabbitMessageListeners listeners;

	private final Environment environment;

	/** Before the listener containers start, at {@code Integer.MAX_VALUE}. */
	RabbitListenerSettings(RabbitMessageListeners listeners, Environment environment) {
		super(Integer.MAX_VALUE - 1);
		this.listeners = listeners;
		this.environment = environment;
	}

	@Override
	void check() {
		for (AbstractMessageListenerContainer container : this.listeners.listenerContainers()) {
			if (container.getAcknowledgeMode() != AcknowledgeMode.NONE) {
				continue;
			}
			String type = (container instanceof DirectMessageListenerContainer) ? "direct" : "simple";
			String prefix = "spring.rabbitmq.listener." + type;
			int prefetch = Binder.get(this.environment).bind(prefix + ".prefetch", Integer.class).orElse(DEFAULT_PREFETCH);
			if (prefetch > 1) {
				logger.warn("RabbitMQ listener '{}' acknowledges messages as the broker sends them ({}.acknowledge-mode="
						+ "none) with a prefetch of {}: up to {} messages delivered but not processed when the "
						+ "container stops are lost at every shutdown. Set {}.acknowledge-mode=auto (the default), "
						+ "or {}.prefetch=1 to lose at most the message in progress.", container.getListenerId(), prefix,
						prefetch, prefetch - 1, prefix, prefix);
			}
		}
	}

}
