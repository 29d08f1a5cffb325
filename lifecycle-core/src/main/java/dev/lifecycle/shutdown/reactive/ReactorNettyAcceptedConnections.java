package dev.lifecycle.shutdown.reactive;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.Channel;
import reactor.netty.http.server.HttpServer;

import org.springframework.context.SmartLifecycle;

import dev.lifecycle.shutdown.DrainBoundary;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownPhase;
import dev.lifecycle.shutdown.netty.ListenBacklog;

/**
 * Lets Reactor Netty's graceful shutdown see every connection it has accepted as a
 * request. Its drain closes the listening socket, so the kernel resets the connections
 * still queued in the listen backlog, and it closes at once each accepted connection
 * whose request it has not read yet. Here, just before that drain, the listener takes
 * every queued connection and closes, on its event loop, and then each connection
 * accepted but not yet read gets a moment (up to {@value #FIRST_REQUEST_WAIT_MILLIS} ms,
 * within the drain timeout) to deliver its request, which the drain then waits for.
 * Connections that already served a request are idle keep-alive connections: closing
 * them loses nothing.
 */
public final class ReactorNettyAcceptedConnections implements SmartLifecycle {

	private static final long FIRST_REQUEST_WAIT_MILLIS = 1000;

	private final ShutdownCoordinator coordinator;

	private final Set<Channel> listeners = ConcurrentHashMap.newKeySet();

	private final Set<Channel> awaitingFirstRequest = ConcurrentHashMap.newKeySet();

	private volatile boolean running;

	/**
	 * Creates the drain step.
	 *
	 * @param coordinator the shutdown sequence, whose drain timeout bounds the wait
	 */
	public ReactorNettyAcceptedConnections(ShutdownCoordinator coordinator) {
		this.coordinator = coordinator;
	}

	/**
	 * Follows a server's listening socket and the connections it accepts.
	 *
	 * @param server the server being configured
	 * @return the server, configured
	 */
	public HttpServer observe(HttpServer server) {
		return server.doOnBound((bound) -> {
			Channel listener = bound.channel();
			ListenBacklog.follow(listener);
			this.listeners.add(listener);
		})
			.doOnChannelInit((observer, channel, remoteAddress) -> {
				this.awaitingFirstRequest.add(channel);
				channel.closeFuture().addListener((closed) -> this.awaitingFirstRequest.remove(channel));
			})
			.doOnConnection((connection) -> {
				// An HTTP/2 stream's channel is a child of its connection's.
				Channel channel = connection.channel();
				this.awaitingFirstRequest.remove(channel);
				if (channel.parent() != null) {
					this.awaitingFirstRequest.remove(channel.parent());
				}
			});
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		if (this.coordinator.phase() != ShutdownPhase.DRAIN) {
			return;
		}
		Duration left = this.coordinator.drainTimeLeft();
		ListenBacklog.closeAndAwait(this.listeners, this.awaitingFirstRequest,
				Duration.ofMillis(Math.min(FIRST_REQUEST_WAIT_MILLIS, left.toMillis())));
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		// After the drain began (streams ended), before Boot's drain closes the listener.
		return DrainBoundary.WEB_SERVER_GRACEFUL_SHUTDOWN_PHASE + 1;
	}

}
