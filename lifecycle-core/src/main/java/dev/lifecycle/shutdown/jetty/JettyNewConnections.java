package dev.lifecycle.shutdown.jetty;

import java.nio.channels.SelectableChannel;

import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import dev.lifecycle.shutdown.NewConnections;

/**
 * Reports each TCP connection Jetty's connectors accept, the quiet period's evidence that
 * a load balancer still routes here. Counted where the selector accepts the socket, once
 * per connection: Jetty opens several {@code Connection}s on one socket (TLS, then HTTP;
 * HTTP/1.1, then HTTP/2 after an upgrade).
 */
public final class JettyNewConnections implements SelectorManager.AcceptListener {

	private final NewConnections connections;

	/**
	 * Creates the listener.
	 *
	 * @param connections where accepted connections are counted
	 */
	public JettyNewConnections(NewConnections connections) {
		this.connections = connections;
	}

	/**
	 * Listens to the connectors of a server.
	 *
	 * @param server the server being configured
	 */
	public void observe(Server server) {
		boolean observed = false;
		for (Connector connector : server.getConnectors()) {
			if (connector instanceof ServerConnector serverConnector) {
				serverConnector.getSelectorManager().addEventListener(this);
				observed = true;
			}
		}
		// Observed only once a connector really reports them; otherwise requests are the evidence.
		if (observed) {
			this.connections.observed();
		}
	}

	@Override
	public void onAccepted(SelectableChannel channel) {
		this.connections.accepted();
	}

}
