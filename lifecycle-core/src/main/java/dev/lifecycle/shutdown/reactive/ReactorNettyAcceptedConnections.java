package dev.lifecycle.shutdown.reactive;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.nio.AbstractNioChannel;
import reactor.netty.http.server.HttpServer;

import org.springframework.context.SmartLifecycle;

import dev.lifecycle.shutdown.DrainBoundary;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownPhase;

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

	private static final int MAX_BACKLOG_READS = 100;

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
			listener.pipeline().addFirst(AcceptCounter.NAME, new AcceptCounter());
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
		for (Channel listener : this.listeners) {
			listener.eventLoop().submit(() -> acceptBacklogAndClose(listener)).awaitUninterruptibly(1, TimeUnit.SECONDS);
		}
		Duration left = this.coordinator.drainTimeLeft();
		long deadline = System.nanoTime()
				+ Math.min(TimeUnit.MILLISECONDS.toNanos(FIRST_REQUEST_WAIT_MILLIS), left.toNanos());
		try {
			while (!this.awaitingFirstRequest.isEmpty() && System.nanoTime() < deadline) {
				TimeUnit.MILLISECONDS.sleep(5);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Accepts what the kernel queued, as the event loop does on a ready accept but without
	 * the per-read cap, and again until a read accepts nothing, then closes at once: handing
	 * the accepted connections on takes time, during which more handshakes complete, and the
	 * kernel resets whatever is queued when the listener closes. Other transports (epoll,
	 * kqueue) are closed as Reactor Netty would.
	 */
	private static void acceptBacklogAndClose(Channel listener) {
		AcceptCounter counter = (AcceptCounter) listener.pipeline().get(AcceptCounter.NAME);
		if (listener.isOpen() && counter != null && listener.unsafe() instanceof AbstractNioChannel.NioUnsafe nio) {
			RecvByteBufAllocator allocator = listener.config().getRecvByteBufAllocator();
			if (allocator instanceof MaxMessagesRecvByteBufAllocator maxMessages) {
				maxMessages.maxMessagesPerRead(Integer.MAX_VALUE);
			}
			for (int reads = 0; reads < MAX_BACKLOG_READS; reads++) {
				long before = counter.accepted;
				nio.read();
				if (counter.accepted == before) {
					break;
				}
			}
		}
		listener.close();
	}

	/** Counts the connections a listener accepts, on its event loop. */
	private static final class AcceptCounter extends ChannelInboundHandlerAdapter {

		static final String NAME = "lifecycle.acceptCounter";

		private long accepted;

		@Override
		public void channelRead(ChannelHandlerContext context, Object connection) {
			this.accepted++;
			context.fireChannelRead(connection);
		}

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
