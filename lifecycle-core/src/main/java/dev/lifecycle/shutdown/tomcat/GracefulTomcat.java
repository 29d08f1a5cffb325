package dev.lifecycle.shutdown.tomcat;

import java.util.function.Consumer;

import org.apache.catalina.Context;
import org.apache.catalina.core.StandardContext;
import org.apache.coyote.ProtocolHandler;
import org.apache.coyote.http11.AbstractHttp11Protocol;

import org.springframework.beans.factory.DisposableBean;

import dev.lifecycle.shutdown.NewConnections;
import dev.lifecycle.shutdown.ShutdownCoordinator;

/**
 * What the starter does to Boot's Tomcat factory: the graceful protocol that drains the
 * accepted connections, reports new ones and sends HTTP/2 GOAWAY, and connections that
 * close through Tomcat's keep-alive accounting. Written once; each Boot line's starter
 * hands over its own factory type as a {@link Factory}.
 */
public final class GracefulTomcat implements DisposableBean {

	/** Tomcat's default protocol, which the graceful one extends. */
	public static final String DEFAULT_PROTOCOL = "org.apache.coyote.http11.Http11NioProtocol";

	private final AcceptedConnectionsDrain drain;

	private final NewConnections connections;

	private final Http2GoAway http2GoAway = new Http2GoAway();

	private final KeepAliveEnd keepAliveEnd = new KeepAliveEnd();

	/**
	 * Creates the customization.
	 *
	 * @param coordinator the shutdown sequence, told when connections must close
	 * @param drain the drain of connections accepted but not yet requests
	 * @param connections where new connections are reported, for the quiet period
	 */
	public GracefulTomcat(ShutdownCoordinator coordinator, AcceptedConnectionsDrain drain, NewConnections connections) {
		this.drain = drain;
		this.connections = connections;
		coordinator.whenClosingConnections(this.http2GoAway);
		coordinator.whenClosingConnections(this.keepAliveEnd);
	}

	/**
	 * Customizes a Tomcat factory before it creates its server.
	 *
	 * @param factory the factory, as its Boot line has it
	 */
	public void customize(Factory factory) {
		// Tomcat's stop would wait 2 s more for requests the drain already abandoned.
		factory.addContextCustomizer((context) -> ((StandardContext) context).setUnloadDelay(0));
		// Whatever the protocol: connections close through Tomcat's keep-alive accounting.
		factory.addProtocolHandlerCustomizer((protocol) -> {
			if (protocol instanceof AbstractHttp11Protocol<?> http11) {
				this.keepAliveEnd.register(http11);
			}
		});
		// A protocol the user chose is left alone (and keeps Tomcat's own pause).
		if (!factory.usesDefaultProtocol()) {
			return;
		}
		factory.setProtocol(GracefulHttp11NioProtocol.class.getName());
		factory.addProtocolHandlerCustomizer((protocol) -> {
			if (protocol instanceof GracefulHttp11NioProtocol graceful) {
				this.drain.register(graceful.endpoint());
				graceful.endpoint().reportAcceptsTo(this.connections);
				this.http2GoAway.register(graceful.endpoint());
			}
		});
	}

	/** Ends the HTTP/2 sweep with the application, which closes its servers before its beans. */
	@Override
	public void destroy() {
		this.http2GoAway.stop();
	}

	/** The parts of Boot's Tomcat factory used here, which each Boot line keeps under its own types. */
	public interface Factory {

		/**
		 * Adds a customizer of the web application's context.
		 *
		 * @param customizer the customizer
		 */
		void addContextCustomizer(Consumer<Context> customizer);

		/**
		 * Adds a customizer of the connector's protocol handler.
		 *
		 * @param customizer the customizer
		 */
		void addProtocolHandlerCustomizer(Consumer<ProtocolHandler> customizer);

		/** {@return whether the factory still creates Tomcat's default protocol} */
		boolean usesDefaultProtocol();

		/**
		 * Sets the class of the protocol the connector creates.
		 *
		 * @param className the protocol's class name
		 */
		void setProtocol(String className);

	}

}
