package dev.lifecycle.shutdown.grpc;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.grpc.netty.InternalNettyServerBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import org.springframework.context.SmartLifecycle;

import dev.lifecycle.shutdown.DrainBoundary;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownPhase;
import dev.lifecycle.shutdown.netty.ListenBacklog;

/**
 * The listening sockets of Boot's Netty gRPC servers, closed so that a connection is
 * served or refused, never accepted and then cut. grpc-java's own shutdown closes the
 * listener while the kernel still holds completed handshakes in its backlog (it resets
 * them), and closes unanswered each connection the listener accepted whose transport was
 * not created yet (its registration on a worker event loop lost the race with the close).
 * Here, once the drain began and just before {@link GrpcServerDrain} shuts the servers
 * down, each listener takes every queued connection and closes, on its event loop, and
 * then each accepted connection gets its transport, which the server's shutdown ends
 * with a graceful {@code GOAWAY}, serving the calls the client had sent. grpc-java offers
 * no hook to its listener, so the server is built with a channel factory of ours, on
 * grpc-java's own NIO transport and event loops.
 */
public final class NettyGrpcListeners implements SmartLifecycle {

	private static final long TRANSPORT_WAIT_MILLIS = 1000;

	private final ShutdownCoordinator coordinator;

	private final Set<Channel> listeners = ConcurrentHashMap.newKeySet();

	private final Set<Channel> awaitingTransport = ConcurrentHashMap.newKeySet();

	private volatile boolean running;

	/**
	 * Creates an empty set of listeners; {@link #observe} adds those of a server.
	 *
	 * @param coordinator the shutdown sequence, whose drain timeout bounds the wait
	 */
	public NettyGrpcListeners(ShutdownCoordinator coordinator) {
		this.coordinator = coordinator;
	}

	/**
	 * Builds the server on grpc-java's NIO transport, with its shared NIO event loops
	 * (which grpc-java releases with the server), and listeners followed here. A later
	 * {@code channelType} with event loops of its own replaces this.
	 *
	 * @param builder the builder of the server
	 */
	public void observe(NettyServerBuilder builder) {
		InternalNettyServerBuilder.useNioTransport(builder);
		builder.channelFactory(this::newListener);
	}

	private ServerChannel newListener() {
		NioServerSocketChannel listener = new NioServerSocketChannel();
		// It sees each connection before Netty hands it to a worker.
		ListenBacklog.follow(listener, this::awaitTransport);
		this.listeners.add(listener);
		listener.closeFuture().addListener((closed) -> this.listeners.remove(listener));
		return listener;
	}

	/** {@return the open listeners} */
	Set<Channel> listeners() {
		return this.listeners;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		Duration drainLeft = (this.coordinator.phase() == ShutdownPhase.DRAIN) ? this.coordinator.drainTimeLeft()
				: this.coordinator.budget().drainTimeout().value();
		// Each connection accepted gets its transport, which the server's shutdown then ends
		// gracefully instead of closing it unanswered.
		ListenBacklog.closeAndAwait(this.listeners, this.awaitingTransport,
				Duration.ofMillis(Math.min(TRANSPORT_WAIT_MILLIS, drainLeft.toMillis())));
	}

	/**
	 * Follows an accepted connection until grpc-java created its transport: that happens
	 * when the connection registers with its worker event loop, just before the
	 * registration reaches the pipeline.
	 */
	private void awaitTransport(Object accepted) {
		if (accepted instanceof Channel connection) {
			this.awaitingTransport.add(connection);
			connection.closeFuture().addListener((closed) -> this.awaitingTransport.remove(connection));
			connection.pipeline().addFirst(new TransportCreated());
		}
	}

	/** Notices the registration of a connection, which comes after its transport's creation. */
	private final class TransportCreated extends ChannelInboundHandlerAdapter {

		@Override
		public void channelRegistered(ChannelHandlerContext context) {
			NettyGrpcListeners.this.awaitingTransport.remove(context.channel());
			context.pipeline().remove(this);
			context.fireChannelRegistered();
		}

	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		// After the drain began, before GrpcServerDrain shuts the servers down.
		return DrainBoundary.WEB_SERVER_GRACEFUL_SHUTDOWN_PHASE + 1;
	}

}
