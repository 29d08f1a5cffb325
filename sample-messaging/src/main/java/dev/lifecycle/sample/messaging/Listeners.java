package dev.lifecycle.sample.messaging;

import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.TopicBuilder;

/**
 * The sample's consumers, each on when its broker is configured: a Kafka listener on
 * {@code sample.kafka-topic}, a RabbitMQ listener on {@code sample.rabbit-queue}.
 */
@Configuration(proxyBeanMethods = false)
public class Listeners {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty("spring.kafka.bootstrap-servers")
	static class KafkaConsumer {

		@Bean
		NewTopic ordersTopic(SampleMessagingProperties properties) {
			return TopicBuilder.name(properties.kafkaTopic()).partitions(3).replicas(1).build();
		}

		@Bean
		OrdersListener ordersListener(Processing processing) {
			return new OrdersListener(processing);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty("spring.rabbitmq.port")
	static class RabbitConsumer {

		@Bean
		Queue paymentsQueue(SampleMessagingProperties properties) {
			return new Queue(properties.rabbitQueue(), true);
		}

		@Bean
		PaymentsListener paymentsListener(Processing processing) {
			return new PaymentsListener(processing);
		}

	}

	/** Consumes orders; off with {@code sample.consume=false}, for a producer-only process. */
	static final class OrdersListener {

		private final Processing processing;

		OrdersListener(Processing processing) {
			this.processing = processing;
		}

		@KafkaListener(id = "orders", topics = "${sample.kafka-topic:orders}", autoStartup = "${sample.consume:true}")
		void onOrder(String id) throws InterruptedException {
			this.processing.process("kafka", id);
		}

	}

	/** Consumes payments; off with {@code sample.consume=false}, for a producer-only process. */
	static final class PaymentsListener {

		private final Processing processing;

		PaymentsListener(Processing processing) {
			this.processing = processing;
		}

		@RabbitListener(id = "payments", queues = "${sample.rabbit-queue:payments}",
				autoStartup = "${sample.consume:true}")
		void onPayment(String id) throws InterruptedException {
			this.processing.process("rabbitmq", id);
		}

	}

}
