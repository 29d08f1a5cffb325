package dev.lifecycle.sample.messaging;

import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Sends {@code sample.produce-count} messages to each configured broker at
 * {@code sample.produce-rate} a second, ids {@code m-1}, {@code m-2}, ..., and records
 * each one the broker accepted: the benchmark's steady load.
 */
@Component
@ConditionalOnExpression("${sample.produce-rate:0} > 0")
public class Producer implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(Producer.class);

	private final SampleMessagingProperties properties;

	private final Journal journal;

	private final KafkaTemplate<Object, Object> kafka;

	private final RabbitTemplate rabbit;

	private volatile Thread thread;

	public Producer(SampleMessagingProperties properties, Journal journal, Environment environment,
			ObjectProvider<KafkaTemplate<Object, Object>> kafka, ObjectProvider<RabbitTemplate> rabbit) {
		this.properties = properties;
		this.journal = journal;
		this.kafka = environment.containsProperty("spring.kafka.bootstrap-servers") ? kafka.getIfAvailable() : null;
		this.rabbit = environment.containsProperty("spring.rabbitmq.port") ? rabbit.getIfAvailable() : null;
	}

	@Override
	public void start() {
		Thread producer = new Thread(this::produce, "producer");
		producer.start();
		this.thread = producer;
	}

	private void produce() {
		long interval = TimeUnit.SECONDS.toNanos(1) / this.properties.produceRate();
		long next = System.nanoTime();
		try {
			for (int n = 1; n <= this.properties.produceCount() && !Thread.currentThread().isInterrupted(); n++) {
				String id = "m-" + n;
				if (this.kafka != null) {
					this.kafka.send(this.properties.kafkaTopic(), id, id).get(10, TimeUnit.SECONDS);
					this.journal.record("produced", "kafka", id);
				}
				if (this.rabbit != null) {
					this.rabbit.convertAndSend("", this.properties.rabbitQueue(), id);
					this.journal.record("produced", "rabbitmq", id);
				}
				next += interval;
				long wait = next - System.nanoTime();
				if (wait > 0) {
					TimeUnit.NANOSECONDS.sleep(wait);
				}
			}
			logger.info("Produced " + this.properties.produceCount() + " messages to each broker");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (Exception ex) {
			logger.error("Producer stopped", ex);
		}
	}

	@Override
	public void stop() {
		Thread producer = this.thread;
		if (producer != null) {
			producer.interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		Thread producer = this.thread;
		return producer != null && producer.isAlive();
	}

}
