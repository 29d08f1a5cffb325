package dev.lifecycle.sample.messaging;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What the sample's listeners and producer do.
 *
 * @param processing how long a listener works on each message
 * @param ignoreInterrupts whether a listener goes on working when interrupted, as code
 * that swallows {@code InterruptedException} does
 * @param journal the directory where each process records the messages it finished, one
 * file per process; unset, nothing is recorded
 * @param kafkaTopic the Kafka topic consumed and produced to
 * @param rabbitQueue the RabbitMQ queue consumed and produced to
 * @param produceRate messages per second the producer sends to each broker; 0, no
 * producer
 * @param produceCount how many messages the producer sends to each broker, then stops
 */
@ConfigurationProperties("sample")
public record SampleMessagingProperties(Duration processing, boolean ignoreInterrupts, Path journal, String kafkaTopic,
		String rabbitQueue, int produceRate, int produceCount) {

	public SampleMessagingProperties {
		processing = (processing != null) ? processing : Duration.ofMillis(200);
		kafkaTopic = (kafkaTopic != null) ? kafkaTopic : "orders";
		rabbitQueue = (rabbitQueue != null) ? rabbitQueue : "payments";
	}

}
