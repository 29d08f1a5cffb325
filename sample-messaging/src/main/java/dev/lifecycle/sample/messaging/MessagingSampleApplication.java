package dev.lifecycle.sample.messaging;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * A consumer of Kafka and RabbitMQ that uses the lifecycle starter: each listener takes a
 * configurable time per message and records the id of each message it finished, so a
 * rolling restart can be checked for messages lost or processed twice.
 */
@SpringBootApplication
@EnableScheduling
@EnableConfigurationProperties(SampleMessagingProperties.class)
public class MessagingSampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(MessagingSampleApplication.class, args);
	}

}
