package dev.lifecycle.autoconfigure.shutdown;

import java.time.Duration;
import java.util.Map;

import org.aopalliance.aop.Advice;
import org.aopalliance.intercept.MethodInterceptor;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafka;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.MessageListener;

import dev.lifecycle.autoconfigure.InvalidLifecycleConfigurationException;
import dev.lifecycle.shutdown.MessageConsumers;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownReport;
import dev.lifecycle.shutdown.kafka.KafkaMessageListeners;
import dev.lifecycle.shutdown.rabbit.RabbitMessageListeners;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The message listener side of the auto-configuration, without a broker: containers are
 * defined but never started. Grace period 20 s, margin 2 s: the deadline is 18 s.
 */
@ExtendWith(OutputCaptureExtension.class)
class MessageListenersConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ShutdownAutoConfiguration.class,
				ApplicationAvailabilityAutoConfiguration.class, LifecycleAutoConfiguration.class))
		.withPropertyValues("lifecycle.termination-grace-period=20s");

	@Test
	void eachBrokerOnTheClassPathHasItsListenersInTheShutdown() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(KafkaMessageListeners.class).hasSingleBean(RabbitMessageListeners.class);
			assertThat(context.getBean(MessageConsumers.class).brokers()).containsExactlyInAnyOrder("kafka", "rabbitmq");
		});
	}

	@Test
	void aBrokerNotOnTheClassPathIsLeftOut() {
		this.contextRunner
			.withClassLoader(new FilteredClassLoader(KafkaListenerEndpointRegistry.class, RabbitListenerEndpointRegistry.class))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(KafkaMessageListeners.class)
					.doesNotHaveBean(RabbitMessageListeners.class);
				assertThat(context.getBean(MessageConsumers.class).brokers()).isEmpty();
			});
	}

	@Test
	void aConsumerWithoutAWebServerGetsTheSequenceWithoutTheDelayNothingRoutesToIt() {
		new ApplicationContextRunner().withClassLoader(new FilteredClassLoader("org.springframework.boot.web.server"))
			.withPropertyValues("spring.main.cloud-platform=kubernetes")
			.withConfiguration(AutoConfigurations.of(ShutdownAutoConfiguration.class,
					ApplicationAvailabilityAutoConfiguration.class, LifecycleAutoConfiguration.class))
			.withUserConfiguration(KafkaEnabled.class, KafkaContainer.class)
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(ShutdownCoordinator.class);
				ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
				context.close();
				ShutdownReport report = coordinator.lastReport();
				assertThat(report).isNotNull();
				assertThat(report.delayEnd()).as("no web or gRPC server: nothing routes here, even on Kubernetes")
					.isEqualTo(ShutdownReport.DelayEnd.SKIPPED_NEVER_READY);
				assertThat(report.delay()).isLessThan(Duration.ofSeconds(1));
			});
	}

	@Test
	void anApplicationThatNeitherServesNorConsumesIsLeftAlone() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ShutdownAutoConfiguration.class,
					ApplicationAvailabilityAutoConfiguration.class, LifecycleAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ShutdownCoordinator.class));
	}

	@Test
	void aKafkaShutdownTimeoutLongerThanTheDeadlineFailsStartUpNamingIt() {
		this.contextRunner.withUserConfiguration(KafkaContainer.class)
			.withPropertyValues("test.shutdown-timeout=60000")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidLifecycleConfigurationException.class)
					.hasMessageContaining("Kafka listener 'orders' has a shutdown timeout of 60s "
							+ "(ContainerProperties.setShutdownTimeout), more than the 18s")
					.satisfies((failure) -> assertThat(
							((InvalidLifecycleConfigurationException) failure).problems().get(0).action())
						.contains("lower it to 18s or less"));
			});
	}

	@Test
	void kafkasDefaultShutdownTimeoutIsReplacedByTheDeadlineNotRefused() {
		this.contextRunner.withUserConfiguration(KafkaContainer.class)
			.withPropertyValues("lifecycle.termination-grace-period=8s")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void kafkaAutoCommitIsWarnedOfAtStartUp(CapturedOutput output) {
		this.contextRunner.withUserConfiguration(KafkaContainer.class)
			.withPropertyValues("test.auto-commit=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).contains("Kafka listener 'orders' has its consumer commit offsets by itself",
						"Set spring.kafka.consumer.enable-auto-commit=false");
			});
	}

	@Test
	void kafkaWithoutAutoCommitIsNotWarnedOf(CapturedOutput output) {
		this.contextRunner.withUserConfiguration(KafkaContainer.class)
			.run((context) -> assertThat(output).doesNotContain("commit offsets by itself"));
	}

	@Test
	void rabbitAcknowledgeModeNoneWithAPrefetchIsWarnedOfAtStartUp(CapturedOutput output) {
		this.contextRunner.withUserConfiguration(RabbitContainer.class)
			.withPropertyValues("spring.rabbitmq.listener.simple.prefetch=50")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).contains("RabbitMQ listener 'payments' acknowledges messages as the broker sends them "
						+ "(spring.rabbitmq.listener.simple.acknowledge-mode=none) with a prefetch of 50",
						"Set spring.rabbitmq.listener.simple.acknowledge-mode=auto");
			});
	}

	@Test
	void rabbitAcknowledgeModeNoneWithAPrefetchOfOneIsNotWarnedOf(CapturedOutput output) {
		this.contextRunner.withUserConfiguration(RabbitContainer.class)
			.withPropertyValues("spring.rabbitmq.listener.simple.prefetch=1")
			.run((context) -> assertThat(output).doesNotContain("acknowledges messages as the broker sends them"));
	}

	@Test
	void theTrackingAdviceComesFirstInARabbitFactorysChainKeepingTheApplicationsOwn() {
		this.contextRunner.withUserConfiguration(RabbitFactory.class).run((context) -> {
			Advice[] chain = context.getBean(SimpleRabbitListenerContainerFactory.class).getAdviceChain();
			assertThat(chain).hasSize(2);
			assertThat(chain[0].getClass().getName()).contains("RabbitMessageListeners");
			assertThat(chain[1]).isSameAs(RabbitFactory.OWN_ADVICE);
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableKafka
	static class KafkaEnabled {

	}

	@Configuration(proxyBeanMethods = false)
	static class KafkaContainer {

		@Bean
		ConsumerFactory<String, String> consumerFactory(org.springframework.core.env.Environment environment) {
			return new DefaultKafkaConsumerFactory<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1",
					ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, environment.getProperty("test.auto-commit", "false")));
		}

		@Bean
		ConcurrentMessageListenerContainer<String, String> orders(ConsumerFactory<String, String> consumerFactory,
				org.springframework.core.env.Environment environment) {
			ContainerProperties properties = new ContainerProperties("orders");
			properties.setMessageListener((MessageListener<String, String>) (record) -> {
			});
			properties.setShutdownTimeout(
					environment.getProperty("test.shutdown-timeout", Long.class, ContainerProperties.DEFAULT_SHUTDOWN_TIMEOUT));
			ConcurrentMessageListenerContainer<String, String> container = new ConcurrentMessageListenerContainer<>(
					consumerFactory, properties);
			container.setAutoStartup(false);
			return container;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RabbitContainer {

		@Bean
		SimpleMessageListenerContainer payments() {
			SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(
					new CachingConnectionFactory("127.0.0.1", 1));
			container.setQueueNames("payments");
			container.setAcknowledgeMode(AcknowledgeMode.NONE);
			container.setMessageListener((message) -> {
			});
			container.setAutoStartup(false);
			return container;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RabbitFactory {

		static final Advice OWN_ADVICE = (MethodInterceptor) (invocation) -> invocation.proceed();

		@Bean
		SimpleRabbitListenerContainerFactory rabbitListenerContainerFactory() {
			SimpleRabbitListenerContainerFactory factory = new SimpleRabbitListenerContainerFactory();
			factory.setAdviceChain(OWN_ADVICE);
			return factory;
		}

	}

}
