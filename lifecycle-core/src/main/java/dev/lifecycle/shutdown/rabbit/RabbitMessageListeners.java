package dev.lifecycle.shutdown.rabbit;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageListener;
import org.springframework.amqp.rabbit.AsyncRabbitTemplate;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;

import dev.lifecycle.shutdown.ListenerActivity;
import dev.lifecycle.shutdown.MessageListeners;

/**
 * The application's RabbitMQ listener containers ({@code @RabbitListener} endpoints,
 * simple and direct, and container beans) in the shutdown sequence. A stopping container
 * cancels its consumers, finishes the message in each listener and acknowledges it;
 * messages prefetched but not started are requeued as the channel closes. A listener
 * still running at the deadline is interrupted and its message requeued.
 */
public final class RabbitMessageListeners extends MessageListeners<AbstractMessageListenerContainer> {

	private final Supplier<Collection<AbstractMessageListenerContainer>> containers;

	private final Map<String, String> listenerByQueue = new ConcurrentHashMap<>();

	/**
	 * Creates the RabbitMQ side of the shutdown sequence.
	 * @param containers the application's listener containers, those of the endpoint
	 * registry and the beans
	 */
	public RabbitMessageListeners(Supplier<Collection<AbstractMessageListenerContainer>> containers) {
		super("rabbitmq");
		this.containers = containers;
	}

	@Override
	protected Collection<AbstractMessageListenerContainer> containers() {
		return this.containers.get();
	}

	@Override
	protected String id(AbstractMessageListenerContainer container) {
		return Objects.requireNonNullElse(container.getListenerId(), container.toString());
	}

	@Override
	protected boolean isRunning(AbstractMessageListenerContainer container) {
		return container.isRunning();
	}

	@Override
	protected boolean receivesReplies(AbstractMessageListenerContainer container) {
		MessageListener listener = (MessageListener) container.getMessageListener();
		return listener instanceof RabbitTemplate || listener instanceof AsyncRabbitTemplate;
	}

	@Override
	protected void stop(AbstractMessageListenerContainer container, Duration untilDeadline, Runnable stopped) {
		// Finish the message in the listener, requeue the prefetched ones: without it, a
		// simple container works through its whole prefetch (250 by default) first.
		container.setForceStop(true);
		// At its shutdown timeout the container interrupts its consumers and closes their
		// channels, which requeues what they hold: that is the deadline.
		container.setShutdownTimeout(untilDeadline.toMillis());
		container.stop(stopped);
	}

	/**
	 * {@return the advice, first in a listener container factory's chain, that follows each
	 * message through the listener}
	 */
	public MethodInterceptor trackingAdvice() {
		return new Tracking();
	}

	private String listenerOf(@Nullable String queue) {
		if (queue == null) {
			return "unknown";
		}
		return this.listenerByQueue.computeIfAbsent(queue, (name) -> {
			for (AbstractMessageListenerContainer container : containers()) {
				if (List.of(container.getQueueNames()).contains(name)) {
					return id(container);
				}
			}
			return name;
		});
	}

	/** Around the container's invocation of its listener, on the consumer thread. */
	private final class Tracking implements MethodInterceptor {

		@Override
		public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
			Object[] arguments = invocation.getArguments();
			Object data = (arguments.length > 1) ? arguments[1] : null;
			List<?> messages = (data instanceof List<?> batch) ? batch : (data != null) ? List.of(data) : List.of();
			if (messages.isEmpty() || !(messages.get(0) instanceof Message first)) {
				return invocation.proceed();
			}
			boolean request = messages.stream()
				.anyMatch((message) -> message instanceof Message m && m.getMessageProperties().getReplyTo() != null);
			ListenerActivity activity = activity();
			ListenerActivity.Delivery delivery = activity
				.started(listenerOf(first.getMessageProperties().getConsumerQueue()), messages.size(), request);
			boolean success = false;
			try {
				Object result = invocation.proceed();
				success = true;
				return result;
			}
			finally {
				activity.ended(delivery, success);
			}
		}

	}

}
