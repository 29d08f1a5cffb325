package dev.lifecycle.sample.messaging.brokers;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real Kafka broker in KRaft mode, from spring-kafka-test, in this JVM.
 *
 * <p>{@code main} runs one for a script: it prints {@code BOOTSTRAP_SERVERS=<address>}
 * once the broker is up, and stops it when its standard input closes.
 */
public final class KafkaBroker implements AutoCloseable {

	private final EmbeddedKafkaKraftBroker broker;

	private KafkaBroker(EmbeddedKafkaKraftBroker broker) {
		this.broker = broker;
	}

	/**
	 * Starts a one-node broker with the given topics, each with three partitions.
	 * @param topics the topics to create
	 * @return the running broker
	 */
	public static KafkaBroker start(String... topics) {
		EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 3, topics);
		broker.afterPropertiesSet();
		return new KafkaBroker(broker);
	}

	/** {@return the address the broker reports: the port asked is not always the one it took} */
	public String bootstrapServers() {
		return this.broker.getBrokersAsString();
	}

	@Override
	public void close() {
		this.broker.destroy();
	}

	public static void main(String[] args) throws Exception {
		try (KafkaBroker broker = start(args)) {
			System.out.println("BOOTSTRAP_SERVERS=" + broker.bootstrapServers());
			System.out.flush();
			while (System.in.read() != -1) {
				// Runs until the script closes standard input.
			}
		}
	}

}
