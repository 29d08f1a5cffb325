package dev.lifecycle.autoconfigure.shutdown;

import java.time.Duration;
import java.util.Arrays;

import jakarta.servlet.DispatcherType;
import reactor.netty.resources.LoopResources;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.springframework.context.support.DefaultLifecycleProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.scheduling.config.ScheduledTaskHolder;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;
import org.springframework.util.ClassUtils;

import dev.lifecycle.autoconfigure.LifecycleProperties;
import dev.lifecycle.probes.ReadinessProbeRecord;
import dev.lifecycle.probes.ReadinessProbeRecord.Verdict;
import dev.lifecycle.probes.StartupState;
import dev.lifecycle.shutdown.BackgroundTasks;
import dev.lifecycle.shutdown.ContextClosingListener;
import dev.lifecycle.shutdown.DrainBoundary;
import dev.lifecycle.shutdown.InFlightRequests;
import dev.lifecycle.shutdown.MessageConsumers;
import dev.lifecycle.shutdown.NewConnections;
import dev.lifecycle.shutdown.ShutdownBudget;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownReporter;
import dev.lifecycle.shutdown.WebSocketSessions;
import dev.lifecycle.shutdown.reactive.InFlightExchangeFilter;
import dev.lifecycle.shutdown.servlet.InFlightRequestFilter;
import dev.lifecycle.shutdown.servlet.TrackingWebSocketHandlerAdapter;

/**
 * Wires the graceful shutdown sequence into a web application, or an application whose
 * only server is Boot's gRPC server: refuse, delay, drain, abandon, close, report.
 */
// After Kafka's and RabbitMQ's auto-configuration, by their Boot 4 and their Boot 3 names.
@AutoConfiguration(after = { ApplicationAvailabilityAutoConfiguration.class, LifecycleAutoConfiguration.class },
		afterName = { "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
				"org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration",
				"org.springframework.boot.autoconfigure.kafka.KafkaAutoConfiguration",
				"org.springframework.boot.autoconfigure.amqp.RabbitAutoConfiguration" })
@Conditional(ShutdownAutoConfiguration.ServingApplication.class)
@ConditionalOnBooleanProperty(name = "lifecycle.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LifecycleProperties.class)
@ImportRuntimeHints(BackgroundTaskTracking.Hints.class)
@Import(MessageListenersConfiguration.class)
public final class ShutdownAutoConfiguration {

	private static final String SERVLET_WEB_CONTEXT = "org.springframework.web.context.WebApplicationContext";

	// Boot 4 keeps it in one package, Boot 3 in another.
	private static final String[] REACTIVE_WEB_CONTEXT = {
			"org.springframework.boot.web.context.reactive.ReactiveWebApplicationContext",
			"org.springframework.boot.web.reactive.context.ReactiveWebApplicationContext" };

	private static final String GRPC_SERVICE = "io.grpc.BindableService";

	/** Created by Spring as an auto-configuration. */
	public ShutdownAutoConfiguration() {
	}

	/**
	 * An application that serves or consumes: a web application, one that runs Boot's gRPC
	 * server without a web server (Boot's gRPC server starts when a gRPC service is
	 * defined), or a Kafka or RabbitMQ consumer without either (the listener endpoint
	 * registry is there).
	 */
	static final class ServingApplication extends AnyNestedCondition {

		ServingApplication() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnWebApplication
		static final class WebApplication {

		}

		@ConditionalOnClass(name = { "org.springframework.grpc.server.GrpcServerFactory", "io.grpc.Grpc" })
		@ConditionalOnBean(type = "io.grpc.BindableService")
		@ConditionalOnBooleanProperty(name = "spring.grpc.server.enabled", matchIfMissing = true)
		static final class GrpcServerApplication {

		}

		// A consumer without a web server: its listeners still have a grace period to fit.
		@ConditionalOnClass(name = "org.springframework.kafka.config.KafkaListenerEndpointRegistry")
		@ConditionalOnBean(type = "org.springframework.kafka.config.KafkaListenerEndpointRegistry")
		static final class KafkaConsumerApplication {

		}

		@ConditionalOnClass(name = "org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry")
		@ConditionalOnBean(type = "org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry")
		static final class RabbitConsumerApplication {

		}

	}

	@Bean
	@ConditionalOnMissingBean
	ShutdownBudget shutdownBudget(LifecycleProperties properties, Environment environment) {
		return ShutdownBudgetResolver.resolve(properties, environment);
	}

	@Bean
	@ConditionalOnMissingBean
	InFlightRequests inFlightRequests() {
		return new InFlightRequests();
	}

	@Bean
	@ConditionalOnMissingBean
	NewConnections newConnections() {
		return new NewConnections();
	}

	@Bean
	@ConditionalOnMissingBean
	BackgroundTasks backgroundTasks(ObjectProvider<ScheduledTaskHolder> scheduledJobs) {
		return new BackgroundTasks(scheduledJobs::orderedStream);
	}

	@Bean
	static BeanPostProcessor lifecycleBackgroundTaskTracking(ObjectProvider<BackgroundTasks> tasks) {
		return new BackgroundTaskTracking(tasks);
	}

	@Bean
	@ConditionalOnMissingBean
	ShutdownCoordinator shutdownCoordinator(ShutdownBudget budget, InFlightRequests requests,
			NewConnections connections, BackgroundTasks tasks, MessageConsumers consumers,
			LifecycleProperties properties) {
		return new ShutdownCoordinator(budget, requests, connections, tasks, consumers,
				properties.getShutdown().isConnectionClose());
	}

	@Bean
	ContextClosingListener lifecycleContextClosingListener(ApplicationContext context,
			ApplicationAvailability availability, ShutdownCoordinator coordinator,
			ObjectProvider<ReadinessProbeRecord> readinessProbe, ObjectProvider<StartupState> startup) {
		// With the probes off there is no record: the probe, if any, is not ours to see.
		return new ContextClosingListener(context, availability, coordinator, () -> {
			if (!servesTraffic(context)) {
				// A consumer alone: no Service routes to it, so there is nothing to wait out.
				return Verdict.NEVER_PASSED;
			}
			ReadinessProbeRecord record = readinessProbe.getIfAvailable();
			return (record != null) ? record.verdict() : Verdict.NEVER_ASKED;
		}, () -> {
			// With the probes on, start-up also waits for startup checks and the warm-up.
			StartupState state = startup.getIfAvailable();
			return state == null || state.isStarted();
		});
	}

	/** Whether the application is a web application or runs gRPC services: a Service may route to it. */
	static boolean servesTraffic(ApplicationContext context) {
		ClassLoader classLoader = context.getClassLoader();
		return isInstance(SERVLET_WEB_CONTEXT, context, classLoader)
				|| Arrays.stream(REACTIVE_WEB_CONTEXT).anyMatch((type) -> isInstance(type, context, classLoader))
				|| (ClassUtils.isPresent(GRPC_SERVICE, classLoader) && context
					.getBeanNamesForType(ClassUtils.resolveClassName(GRPC_SERVICE, classLoader), false, false).length > 0);
	}

	private static boolean isInstance(String type, Object object, ClassLoader classLoader) {
		return ClassUtils.isPresent(type, classLoader) && ClassUtils.resolveClassName(type, classLoader).isInstance(object);
	}

	@Bean
	DrainBoundary lifecycleDrainStart(ShutdownCoordinator coordinator) {
		return DrainBoundary.start(coordinator);
	}

	@Bean
	DrainBoundary lifecycleDrainEnd(ShutdownCoordinator coordinator) {
		return DrainBoundary.end(coordinator);
	}

	@Bean
	ShutdownReporter lifecycleShutdownReporter(ShutdownCoordinator coordinator) {
		return new ShutdownReporter(coordinator, SpringApplication.getShutdownHandlers());
	}

	@Bean
	static BeanPostProcessor lifecycleShutdownPhaseTimeouts(ObjectProvider<ShutdownBudget> budget,
			Environment environment) {
		return new ShutdownPhaseTimeouts(budget, environment);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.SERVLET)
	static class ServletRequestTrackingConfiguration {

		@Bean
		FilterRegistrationBean<InFlightRequestFilter> lifecycleInFlightRequestFilter(ShutdownCoordinator coordinator,
				Environment environment) {
			FilterRegistrationBean<InFlightRequestFilter> registration = new FilterRegistrationBean<>(
					new InFlightRequestFilter(coordinator, UntrackedPathsResolver.resolve(environment)));
			// First in the chain: it must see every request, including those other filters reject.
			registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
			registration.setDispatcherTypes(DispatcherType.REQUEST);
			return registration;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.REACTIVE)
	static class ReactiveRequestTrackingConfiguration {

		@Bean
		InFlightExchangeFilter lifecycleInFlightExchangeFilter(ShutdownCoordinator coordinator,
				Environment environment) {
			return new InFlightExchangeFilter(coordinator, UntrackedPathsResolver.resolve(environment));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.SERVLET)
	@ConditionalOnClass({ WebSocketHttpRequestHandler.class, DispatcherServlet.class })
	static class ServletWebSocketTrackingConfiguration {

		@Bean
		TrackingWebSocketHandlerAdapter lifecycleWebSocketHandlerAdapter(ShutdownCoordinator coordinator,
				LifecycleProperties properties) {
			return new TrackingWebSocketHandlerAdapter(webSocketSessions(coordinator, properties));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.REACTIVE)
	@ConditionalOnClass(WebSocketHandlerAdapter.class)
	static class ReactiveWebSocketTrackingConfiguration {

		@Bean
		dev.lifecycle.shutdown.reactive.TrackingWebSocketHandlerAdapter lifecycleReactiveWebSocketHandlerAdapter(
				ShutdownCoordinator coordinator, LifecycleProperties properties,
				ObjectProvider<WebSocketHandlerAdapter> webSocketAdapter) {
			return new dev.lifecycle.shutdown.reactive.TrackingWebSocketHandlerAdapter(
					webSocketSessions(coordinator, properties), webSocketAdapter);
		}

	}

	private static WebSocketSessions webSocketSessions(ShutdownCoordinator coordinator, LifecycleProperties properties) {
		return new WebSocketSessions(coordinator.requests(), properties.getShutdown().isWebsocketGoingAway());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ ReactorResourceFactory.class, LoopResources.class })
	static class ReactorNettyResourcesConfiguration {

		@Bean
		static BeanPostProcessor lifecycleReactorNettyQuietPeriod(Environment environment) {
			return new ReactorNettyQuietPeriod(environment);
		}

	}

	/**
	 * Takes the shutdown quiet period of Reactor Netty's event loops (2 s by default) out of
	 * the close phase unless the user set {@code spring.reactor.netty.shutdown-quiet-period}:
	 * the drain already waited for the server's exchanges, and 2 s of quiet would use up the
	 * default margin, or push an abandoning shutdown past the grace period. Pending tasks
	 * still run before the loops stop.
	 */
	static final class ReactorNettyQuietPeriod implements BeanPostProcessor {

		static final String PROPERTY = "spring.reactor.netty.shutdown-quiet-period";

		private final Environment environment;

		ReactorNettyQuietPeriod(Environment environment) {
			this.environment = environment;
		}

		@Override
		public Object postProcessBeforeInitialization(Object bean, String beanName) {
			if (bean instanceof ReactorResourceFactory factory && !this.environment.containsProperty(PROPERTY)) {
				factory.setShutdownQuietPeriod(Duration.ZERO);
			}
			return bean;
		}

	}

	/**
	 * Bounds Boot's graceful drain by the drain timeout, and every other shutdown phase by
	 * half the margin ({@code spring.lifecycle.timeout-per-shutdown-phase}) unless the user
	 * set it. Scheduled jobs and async tasks are not cut by it: the sequence waits for them
	 * up to the deadline before their executors' phase begins.
	 */
	static final class ShutdownPhaseTimeouts implements BeanPostProcessor {

		private final ObjectProvider<ShutdownBudget> budget;

		private final Environment environment;

		ShutdownPhaseTimeouts(ObjectProvider<ShutdownBudget> budget, Environment environment) {
			this.budget = budget;
			this.environment = environment;
		}

		@Override
		public Object postProcessBeforeInitialization(Object bean, String beanName) {
			if (bean instanceof DefaultLifecycleProcessor processor) {
				ShutdownBudget budget = this.budget.getObject();
				processor.setTimeoutForShutdownPhase(DrainBoundary.WEB_SERVER_GRACEFUL_SHUTDOWN_PHASE,
						budget.drainTimeout().value().toMillis());
				// What stops after the drain and the wait for background tasks (an executor
				// still running a task that ignored its interrupt, a message listener) must fit
				// in the margin, or the pod outlives its grace period. Half of it per phase
				// leaves the rest for closing the beans.
				if (ShutdownBudgetResolver.userPhaseTimeout(this.environment) == null) {
					processor.setTimeoutPerShutdownPhase(budget.margin().value().toMillis() / 2);
				}
			}
			return bean;
		}

	}

}
