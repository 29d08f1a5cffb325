package dev.lifecycle.autoconfigure.shutdown;

import java.util.List;
import java.util.function.Consumer;

import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.ProtocolHandler;
import org.eclipse.jetty.server.Server;
import reactor.netty.http.server.HttpServer;

import org.springframework.beans.DirectFieldAccessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.web.embedded.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.embedded.jetty.JettyServerCustomizer;
import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.embedded.undertow.ConfigurableUndertowWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ImportRuntimeHints;

import dev.lifecycle.autoconfigure.InvalidLifecycleConfigurationException;
import dev.lifecycle.autoconfigure.InvalidLifecycleConfigurationException.Problem;
import dev.lifecycle.shutdown.NewConnections;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.jetty.JettyConnectionClose;
import dev.lifecycle.shutdown.jetty.JettyNewConnections;
import dev.lifecycle.shutdown.reactive.ReactorNettyAcceptedConnections;
import dev.lifecycle.shutdown.reactive.ReactorNettyNewConnections;
import dev.lifecycle.shutdown.tomcat.AcceptedConnectionsDrain;
import dev.lifecycle.shutdown.tomcat.GracefulTomcat;
import dev.lifecycle.shutdown.tomcat.TomcatProtocolRuntimeHints;

/**
 * Hands the shutdown sequence to the web server's connections: the customizers of Boot 3's
 * Tomcat, Jetty and Reactor Netty factories, whose types Boot 4 moved. What they do is
 * written once, in {@code dev.lifecycle.shutdown}. Undertow, which only Boot 3 ships, is
 * refused at start-up.
 */
@AutoConfiguration(after = ShutdownAutoConfiguration.class)
@ConditionalOnBean(ShutdownCoordinator.class)
public final class ServerConnectionsAutoConfiguration {

	/** Created by Spring as an auto-configuration. */
	public ServerConnectionsAutoConfiguration() {
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.REACTIVE)
	// Boot 3 keeps its server factories in spring-boot itself: the server's own classes decide.
	@ConditionalOnClass({ NettyServerCustomizer.class, HttpServer.class })
	static class ReactorNettyConnectionsConfiguration {

		@Bean
		ReactorNettyAcceptedConnections lifecycleReactorNettyAcceptedConnections(ShutdownCoordinator coordinator) {
			return new ReactorNettyAcceptedConnections(coordinator);
		}

		@Bean
		NettyServerCustomizer lifecycleReactorNettyAcceptedConnectionsObserver(
				ReactorNettyAcceptedConnections acceptedConnections) {
			return acceptedConnections::observe;
		}

		@Bean
		NettyServerCustomizer lifecycleNewConnections(NewConnections connections) {
			return (server) -> ReactorNettyNewConnections.observe(server, connections);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.SERVLET)
	@ConditionalOnClass({ TomcatServletWebServerFactory.class, Tomcat.class })
	@ImportRuntimeHints(TomcatProtocolRuntimeHints.class)
	static class TomcatConnectionsConfiguration {

		@Bean
		AcceptedConnectionsDrain lifecycleAcceptedConnectionsDrain(ShutdownCoordinator coordinator) {
			return new AcceptedConnectionsDrain(coordinator);
		}

		@Bean
		GracefulTomcat lifecycleGracefulTomcat(ShutdownCoordinator coordinator, AcceptedConnectionsDrain drain,
				NewConnections connections) {
			return new GracefulTomcat(coordinator, drain, connections);
		}

		@Bean
		WebServerFactoryCustomizer<TomcatServletWebServerFactory> lifecycleGracefulTomcatProtocol(
				GracefulTomcat tomcat) {
			return (factory) -> tomcat.customize(new GracefulTomcat.Factory() {

				@Override
				public void addContextCustomizer(Consumer<Context> customizer) {
					factory.addContextCustomizers(customizer::accept);
				}

				@Override
				public void addProtocolHandlerCustomizer(Consumer<ProtocolHandler> customizer) {
					factory.addProtocolHandlerCustomizers(customizer::accept);
				}

				@Override
				public boolean usesDefaultProtocol() {
					// Boot 3's factory has no getter for it.
					return TomcatServletWebServerFactory.DEFAULT_PROTOCOL
						.equals(new DirectFieldAccessor(factory).getPropertyValue("protocol"));
				}

				@Override
				public void setProtocol(String className) {
					factory.setProtocol(className);
				}

			});
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication
	@ConditionalOnClass({ JettyServerCustomizer.class, Server.class })
	static class JettyConnectionsConfiguration {

		@Bean
		WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> lifecycleJettyConnectionClose(
				ShutdownCoordinator coordinator) {
			return (factory) -> factory.addServerCustomizers((server) -> JettyConnectionClose.install(server, coordinator));
		}

		@Bean
		WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> lifecycleJettyNewConnections(
				NewConnections connections) {
			return (factory) -> factory.addServerCustomizers(new JettyNewConnections(connections)::observe);
		}

	}

	/**
	 * Undertow has no hook the starter uses to move keep-alive clients during the delay, nor
	 * to drain its accepted connections, so a rolling update would cut requests while the
	 * starter promises none: start-up stops and says so.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication
	@ConditionalOnClass(name = "io.undertow.Undertow")
	static class UndertowRefusalConfiguration {

		@Bean
		WebServerFactoryCustomizer<ConfigurableUndertowWebServerFactory> lifecycleUndertowRefusal() {
			return (factory) -> {
				throw new InvalidLifecycleConfigurationException(List.of(new Problem(
						"The lifecycle starter does not support Undertow: it cannot ask Undertow's keep-alive "
								+ "clients to move during the shutdown delay, nor drain the connections Undertow "
								+ "accepted, so a rolling update would cut requests.",
						"Serve with Tomcat (spring-boot-starter-web's default: remove spring-boot-starter-undertow "
								+ "and its exclusion of spring-boot-starter-tomcat), Jetty or Reactor Netty; or set "
								+ "lifecycle.enabled=false to run Undertow without the starter.")));
			};
		}

	}

}
