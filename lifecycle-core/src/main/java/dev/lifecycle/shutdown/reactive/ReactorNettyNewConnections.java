package dev.lifecycle.shutdown.reactive;

import reactor.netty.http.server.HttpServer;

import dev.lifecycle.shutdown.NewConnections;

/** Reports each connection Reactor Netty accepts, for the quiet period. */
public final class ReactorNettyNewConnections {

	private ReactorNettyNewConnections() {
	}

	/**
	 * {@return the server, reporting each new connection}
	 *
	 * @param server the server being configured
	 * @param connections where new connections are reported
	 */
	public static HttpServer observe(HttpServer server, NewConnections connections) {
		// Observed only once a server really reports them, as for Tomcat's endpoint.
		connections.observed();
		// Once per channel: doOnConnection fires again for each request on a keep-alive connection.
		return server.doOnChannelInit((observer, channel, remoteAddress) -> connections.accepted());
	}

}
