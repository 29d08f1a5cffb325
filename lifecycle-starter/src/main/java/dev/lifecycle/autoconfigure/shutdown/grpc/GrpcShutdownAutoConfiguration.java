package dev.lifecycle.autoconfigure.shutdown.grpc;

import io.grpc.Attributes;
import io.grpc.ServerBuilder;
import io.grpc.ServerTransportFilter;
import io.grpc.netty.NettyServerBuilder;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.grpc.server.autoconfigure.GrpcServerAutoConfiguration;
import org.springframework.boot.grpc.server.autoconfigure.GrpcServerProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.grpc.server.GrpcServerFactory;
import org.springframework.grpc.server.ServerBuilderCustomizer;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

import dev.lifecycle.autoconfigure.shutdown.ShutdownAutoConfiguration;
import dev.lifecycle.shutdown.NewConnections;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.grpc.DrainedGrpcServerLifecycle;
import dev.lifecycle.shutdown.grpc.GrpcServerDrain;
import dev.lifecycle.shutdown.grpc.InFlightCallInterceptor;
import dev.lifecycle.shutdown.grpc.NettyGrpcListeners;

/**
 * Puts Boot's gRPC server on the same shutdown sequence and budget as the web server:
 * calls are tracked, the server keeps serving through the delay, drains beside the web
 * server, and is cut only after what is left was reported.
 */
@AutoConfiguration(after = { ShutdownAutoConfiguration.class, GrpcServerAutoConfiguration.class })
@ConditionalOnClass({ GrpcServerFactory.class, GrpcServerLifecycle.class })
@ConditionalOnBean({ GrpcServerFactory.class, ShutdownCoordinator.class })
@ConditionalOnBooleanProperty(name = "lifecycle.enabled", matchIfMissing = true)
public final class GrpcShutdownAutoConfiguration {

	/** Created by Spring as an auto-configuration. */
	public GrpcShutdownAutoConfiguration() {
	}

	@Bean
	@GlobalServerInterceptor
	InFlightCallInterceptor lifecycleInFlightCallInterceptor(ShutdownCoordinator coordinator) {
		return new InFlightCallInterceptor(coordinator.requests());
	}

	@Bean
	GrpcServerDrain lifecycleGrpcServerDrain(ShutdownCoordinator coordinator, InFlightCallInterceptor calls) {
		return new GrpcServerDrain(coordinator, calls);
	}

	@Bean
	static BeanPostProcessor lifecycleDrainedGrpcServerLifecycle(ApplicationEventPublisher eventPublisher) {
		return new BeanPostProcessor() {

			@Override
			public Object postProcessBeforeInitialization(Object bean, String beanName) {
				return (bean instanceof GrpcServerLifecycle lifecycle && !(bean instanceof DrainedGrpcServerLifecycle))
						? new DrainedGrpcServerLifecycle(lifecycle.getFactory(), eventPublisher) : bean;
			}

		};
	}

	@Bean
	<T extends ServerBuilder<T>> ServerBuilderCustomizer<T> lifecycleGrpcNewConnections(NewConnections connections) {
		return (builder) -> {
			// Observed only once a server really reports them, as for the web servers.
			connections.observed();
			builder.addTransportFilter(new ServerTransportFilter() {

				@Override
				public Attributes transportReady(Attributes transportAttrs) {
					connections.accepted();
					return transportAttrs;
				}

			});
		};
	}

	/** Boot's Netty gRPC server: its listeners close without cutting a connection. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(NettyServerBuilder.class)
	static final class NettyListenersConfiguration {

		@Bean
		NettyGrpcListeners lifecycleNettyGrpcListeners(ShutdownCoordinator coordinator) {
			return new NettyGrpcListeners(coordinator);
		}

		@Bean
		// First, so that a customizer that sets its own channel type and event loops wins.
		@Order(Ordered.HIGHEST_PRECEDENCE)
		<T extends ServerBuilder<T>> ServerBuilderCustomizer<T> lifecycleNettyGrpcListenersObserver(
				NettyGrpcListeners listeners, ObjectProvider<GrpcServerProperties> properties) {
			return (builder) -> {
				if (builder instanceof NettyServerBuilder netty && listensOnTcp(properties.getIfAvailable())) {
					listeners.observe(netty);
				}
			};
		}

		// A domain socket keeps the epoll channel and event loops Spring gRPC gave it.
		private static boolean listensOnTcp(@Nullable GrpcServerProperties properties) {
			if (properties == null) {
				return false;
			}
			GrpcServerProperties.Netty netty = properties.getNetty();
			return netty.getDomainSocketPath() == null
					|| netty.getTransport() == GrpcServerProperties.Netty.Transport.TCP;
		}

	}

}
