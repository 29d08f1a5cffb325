package dev.lifecycle.autoconfigure.shutdown;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.aopalliance.aop.Advice;
import org.springframework.amqp.rabbit.config.BaseRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.amqp.core.MessageListenerContainer;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.springframework.core.env.Environment;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.ConsumerFactory;

import dev.lifecycle.shutdown.MessageConsumers;
import dev.lifecycle.shutdown.MessageListeners;
import dev.lifecycle.shutdown.ShutdownBudget;
import dev.lifecycle.shutdown.kafka.KafkaMessageListeners;
import dev.lifecycle.shutdown.rabbit.RabbitMessageListeners;

/**
 * Puts the message listener containers of Kafka and RabbitMQ, each when on the class
 * path, under the shutdown sequence and its deadline.
 */
@Configuration(proxyBeanMethods = false)
class MessageListenersConfiguration {

	@Bean
	MessageConsumers lifecycleMessageConsumers(ObjectProvider<MessageListeners<?>> brokers) {
		return new MessageConsumers(brokers::orderedStream);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(KafkaListenerEndpointRegistry.class)
	@ImportRuntimeHints(KafkaMessageListeners.Hints.class)
	static class KafkaListenersConfiguration {

		@Bean
		KafkaMessageListeners lifecycleKafkaMessageListeners(ApplicationContext context,
				ObjectProvider<KafkaListenerEndpointRegistry> registry) {
			return new KafkaMessageListeners(() -> {
				KafkaListenerEndpointRegistry endpoints = registry.getIfAvailable();
				// The registry's containers and the container beans: it looks the beans up itself.
				return (endpoints != null) ? endpoints.getAllListenerContainers() : context
					.getBeansOfType(org.springframework.kafka.listener.MessageListenerContainer.class, false, false)
					.values();
			});
		}

		@Bean
		KafkaListenerSettings lifecycleKafkaListenerSettings(KafkaMessageListeners listeners,
				ObjectProvider<ShutdownBudget> budget, ObjectProvider<ConsumerFactory<?, ?>> consumerFactories) {
			return new KafkaListenerSettings(listeners, budget, consumerFactories);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RabbitListenerEndpointRegistry.class)
	static class RabbitListenersConfiguration {

		@Bean
		RabbitMessageListeners lifecycleRabbitMessageListeners(ApplicationContext context,
				ObjectProvider<RabbitListenerEndpointRegistry> registry) {
			return new RabbitMessageListeners(() -> {
				Set<AbstractMessageListenerContainer> containers = new LinkedHashSet<>();
				RabbitListenerEndpointRegistry endpoints = registry.getIfAvailable();
				if (endpoints != null) {
					for (MessageListenerContainer container : endpoints.getListenerContainers()) {
						if (container instanceof AbstractMessageListenerContainer amlc) {
							containers.add(amlc);
						}
					}
				}
				containers.addAll(context.getBeansOfType(AbstractMessageListenerContainer.class, false, false).values());
				return containers;
			});
		}

		@Bean
		static BeanPostProcessor lifecycleRabbitListenerTracking(ObjectProvider<RabbitMessageListeners> listeners) {
			return new BeanPostProcessor() {

				@Override
				public Object postProcessAfterInitialization(Object bean, String beanName) {
					if (bean instanceof BaseRabbitListenerContainerFactory<?> factory) {
						// First in the chain: a retrying advice after it retries one delivery.
						List<Advice> chain = new ArrayList<>();
						chain.add(listeners.getObject().trackingAdvice());
						Advice[] existing = factory.getAdviceChain();
						if (existing != null) {
							chain.addAll(List.of(existing));
						}
						factory.setAdviceChain(chain.toArray(Advice[]::new));
					}
					return bean;
				}

			};
		}

		@Bean
		RabbitListenerSettings lifecycleRabbitListenerSettings(RabbitMessageListeners listeners,
				Environment environment) {
			return new RabbitListenerSettings(listeners, environment);
		}

	}

}
