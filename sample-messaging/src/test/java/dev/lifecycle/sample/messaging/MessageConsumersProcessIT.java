package dev.lifecycle.sample.messaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

import dev.lifecycle.sample.messaging.brokers.KafkaBroker;
import dev.lifecycle.sample.messaging.brokers.RabbitMqBroker;
import dev.lifecycle.sample.support.SampleProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The packaged sample-messaging app against real brokers, a KRaft Kafka broker and a
 * RabbitMQ node, through a real SIGTERM in the middle of its work: what its listeners
 * hold finishes and is acknowledged or committed, what cannot finish by the deadline goes
 * back to the broker for a second consumer, and no message is lost or processed twice.
 */
class MessageConsumersProcessIT {

	private static final int SIGTERM_EXIT_CODE = 128 + 15;

	private static final AtomicInteger runs = new AtomicInteger();

	private static KafkaBroker kafka;

	private static RabbitMqBroker rabbit;

	@TempDir
	Path journal;

	enum Broker {

		KAFKA("kafka"), RABBITMQ("rabbitmq");

		final String tag;

		Broker(String tag) {
			this.tag = tag;
		}

	}

	@BeforeAll
	static void startBrokers() throws Exception {
		assumeTrue(RabbitMqBroker.isInstalled(),
				"rabbitmq-server is not installed (.ci/run installs it): the message consumer process tests are skipped");
		rabbit = RabbitMqBroker.start();
		kafka = KafkaBroker.start();
	}

	@AfterAll
	static void stopBrokers() throws IOException {
		if (kafka != null) {
			kafka.close();
		}
		if (rabbit != null) {
			rabbit.close();
		}
	}

	@ParameterizedTest
	@EnumSource(Broker.class)
	void messagesInTheListenerAtSigtermFinishAndAreAcknowledgedSoNoneIsLostOrProcessedTwice(Broker broker)
			throws Exception {
		String destination = destination(broker);
		List<String> ids = produce(broker, destination, 40);
		try (SampleProcess first = consumer(broker, destination, "processing=500ms")) {
			awaitProcessed(broker, 3);
			Duration exit = terminate(first, Duration.ofSeconds(20));
			System.out.printf("%s, 500 ms a message, SIGTERM after 3: exit after %d ms, %d processed%n", broker,
					exit.toMillis(), processed(broker).size());
			assertThat(first.output()).contains("messages finished").contains("redelivered 0").doesNotContain("Interrupting");
			assertThat(exit).as("the messages in hand, not the whole backlog").isLessThan(Duration.ofSeconds(12));
		}
		try (SampleProcess second = consumer(broker, destination, "processing=10ms")) {
			awaitProcessed(broker, ids.size());
			assertThat(processed(broker)).as("each message processed once").containsExactlyInAnyOrderElementsOf(ids);
		}
	}

	@ParameterizedTest
	@EnumSource(Broker.class)
	void aMessageLongerThanTheBudgetIsInterruptedAtTheDeadlineAndRedeliveredToTheNextConsumer(Broker broker)
			throws Exception {
		String destination = destination(broker);
		List<String> ids = produce(broker, destination, 3);
		try (SampleProcess first = consumer(broker, destination, "processing=60s",
				"lifecycle.termination-grace-period=8s")) {
			awaitOutput(first, "Message " + broker.tag + " m-");
			Duration exit = terminate(first, Duration.ofSeconds(8));
			System.out.printf("%s, 60 s a message, grace period 8 s: exit after %d ms%n%s%n", broker, exit.toMillis(),
					reportLines(first));
			assertThat(exit).isGreaterThan(Duration.ofMillis(5900)).isLessThan(Duration.ofSeconds(8));
			assertThat(first.output()).contains("interrupted after", "Interrupting " + broker.tag + " listener",
					"messages finished 0")
				.containsPattern("redelivered [1-9]");
			assertThat(processed(broker)).isEmpty();
		}
		try (SampleProcess second = consumer(broker, destination, "processing=10ms")) {
			awaitProcessed(broker, ids.size());
			assertThat(processed(broker)).containsExactlyInAnyOrderElementsOf(ids);
		}
	}

	@ParameterizedTest
	@EnumSource(Broker.class)
	void aConsumerWithoutAWebServerFinishesWhatItHoldsToo(Broker broker) throws Exception {
		String destination = destination(broker);
		List<String> ids = produce(broker, destination, 20);
		// On Kubernetes, where the delay would be 5 s: nothing routes to a consumer, so none is kept.
		try (SampleProcess first = launchConsumer(broker, destination, "processing=500ms",
				"spring.main.web-application-type=none", "spring.main.cloud-platform=kubernetes")) {
			awaitProcessed(broker, 2);
			Duration exit = terminate(first, Duration.ofSeconds(20));
			System.out.printf("%s without a web server, SIGTERM after 2: exit after %d ms%n%s%n", broker, exit.toMillis(),
					reportLines(first));
			assertThat(first.output()).contains("Stopping 1 message listener container(s)", "messages finished",
					"redelivered 0", "(skipped, never ready");
			assertThat(exit).isLessThan(Duration.ofSeconds(12));
		}
		try (SampleProcess second = consumer(broker, destination, "processing=10ms")) {
			awaitProcessed(broker, ids.size());
			assertThat(processed(broker)).as("each message processed once").containsExactlyInAnyOrderElementsOf(ids);
		}
	}

	private String destination(Broker broker) {
		return broker.tag + "-" + runs.incrementAndGet();
	}

	private SampleProcess consumer(Broker broker, String destination, String... properties)
			throws IOException, InterruptedException {
		return SampleProcess.start(arguments(broker, destination, properties));
	}

	/** A consumer not waited for: one without a web server has no readiness probe to ask. */
	private SampleProcess launchConsumer(Broker broker, String destination, String... properties) throws IOException {
		return SampleProcess.launch(arguments(broker, destination, properties));
	}

	private String[] arguments(Broker broker, String destination, String... properties) {
		List<String> arguments = new ArrayList<>(List.of("sample.journal=" + this.journal,
				"logging.level.dev.lifecycle.sample.messaging=debug"));
		if (broker == Broker.KAFKA) {
			arguments.addAll(List.of("spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
					"sample.kafka-topic=" + destination, "spring.kafka.consumer.group-id=" + destination));
		}
		else {
			arguments.addAll(List.of("spring.rabbitmq.port=" + rabbit.port(), "sample.rabbit-queue=" + destination));
		}
		for (String property : properties) {
			arguments.add(property.startsWith("lifecycle.") || property.startsWith("spring.") ? property
					: "sample." + property);
		}
		return arguments.toArray(String[]::new);
	}

	private static List<String> produce(Broker broker, String destination, int count) {
		List<String> ids = IntStream.rangeClosed(1, count).mapToObj((n) -> "m-" + n).toList();
		if (broker == Broker.KAFKA) {
			Properties config = new Properties();
			config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
			try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
					new StringSerializer())) {
				for (String id : ids) {
					producer.send(new ProducerRecord<>(destination, id, id));
				}
				producer.flush();
			}
		}
		else {
			CachingConnectionFactory connections = new CachingConnectionFactory("127.0.0.1", rabbit.port());
			try {
				new RabbitAdmin(connections).declareQueue(new Queue(destination, true));
				RabbitTemplate template = new RabbitTemplate(connections);
				ids.forEach((id) -> template.convertAndSend("", destination, id));
			}
			finally {
				connections.destroy();
			}
		}
		return ids;
	}

	/** The ids the sample processed, one entry each time, across its processes. */
	private List<String> processed(Broker broker) throws IOException {
		List<String> processed = new ArrayList<>();
		try (Stream<Path> files = Files.list(this.journal)) {
			for (Path file : files.toList()) {
				for (String line : Files.readAllLines(file)) {
					String[] fields = line.split(",");
					if (fields.length == 4 && fields[0].equals("processed") && fields[1].equals(broker.tag)) {
						processed.add(fields[2]);
					}
				}
			}
		}
		return processed;
	}

	private void awaitProcessed(Broker broker, int count) throws InterruptedException {
		boolean reached = SampleProcess.await(Duration.ofSeconds(60), () -> {
			try {
				return processed(broker).size() >= count;
			}
			catch (IOException ex) {
				return false;
			}
		});
		assertThat(reached).as("%d %s messages processed within 60 s", count, broker).isTrue();
	}

	/** The starter's lines about the listeners and its report, for the build log. */
	private static String reportLines(SampleProcess app) {
		return app.output()
			.lines()
			.filter((line) -> line.contains("message listener container") || line.contains("Interrupting")
					|| line.contains("left for redelivery") || line.contains("Shutdown complete"))
			.map((line) -> line.replaceFirst("^.*? : ", "  "))
			.collect(Collectors.joining(System.lineSeparator()));
	}

	private static void awaitOutput(SampleProcess app, String text) throws InterruptedException {
		boolean seen = SampleProcess.await(Duration.ofSeconds(60), () -> app.output().contains(text));
		assertThat(seen).as("'%s' in the output:%n%s", text, app.output()).isTrue();
	}

	private static Duration terminate(SampleProcess app, Duration grace) throws InterruptedException {
		long sigterm = app.terminate();
		assertThat(app.awaitExit(grace.plusSeconds(10))).isEqualTo(SIGTERM_EXIT_CODE);
		return SampleProcess.since(sigterm);
	}

}
