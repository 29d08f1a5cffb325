package dev.lifecycle.shutdown.netty;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.nio.AbstractNioChannel;
import io.netty.util.concurrent.Future;

/**
 * Closes a Netty listener so that a connection is either served or refused, never
 * accepted by the kernel and then reset: before it closes, the listener takes every
 * connection the kernel queued in its backlog. Shared by Reactor Netty's and grpc-java's
 * listeners.
 */
public final class ListenBacklog {

	private static final String NAME = "lifecycle.listenBacklog";

	private static final int MAX_BACKLOG_READS = 100;

	private ListenBacklog() {
	}

	/**
	 * Follows what a listener accepts, from now on.
	 *
	 * @param listener the listening channel
	 */
	public static void follow(Channel listener) {
		follow(listener, (connection) -> {
		});
	}

	/**
	 * Follows what a listener accepts, from now on.
	 *
	 * @param listener the listening channel
	 * @param accepted sees each connection the listener accepts, on its event loop, before
	 * the server hands it to a worker
	 */
	public static void follow(Channel listener, Consumer<Object> accepted) {
		listener.pipeline().addFirst(NAME, new AcceptCounter(accepted));
	}

	/**
	 * {@return when the listener has taken its backlog and closed} Runs on the listener's
	 * event loop.
	 *
	 * @param listener a listener given to {@link #follow}
	 */
	public static Future<?> acceptAndClose(Channel listener) {
		return listener.eventLoop().submit(() -> acceptBacklogAndClose(listener));
	}

	/**
	 * Takes each registered listener's backlog and closes it, then waits until every
	 * connection taken is where it is going ({@code pending} empty), all within the timeout.
	 *
	 * @param listeners listeners given to {@link #follow}
	 * @param pending the connections accepted and not yet handed on, emptied by the caller's
	 * own handlers
	 * @param timeout how long the closes and the wait may take together
	 */
	public static void closeAndAwait(Collection<Channel> listeners, Set<?> pending, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		for (Channel listener : listeners) {
			if (listener.isRegistered()) {
				long left = Math.max(0, deadline - System.nanoTime());
				acceptAndClose(listener).awaitUninterruptibly(left, TimeUnit.NANOSECONDS);
			}
		}
		try {
			while (!pending.isEmpty() && System.nanoTime() < deadline) {
				TimeUnit.MILLISECONDS.sleep(1);
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
	 * kqueue) are closed as their server would.
	 */
	private static void acceptBacklogAndClose(Channel listener) {
		AcceptCounter counter = (AcceptCounter) listener.pipeline().get(NAME);
		if (listener.isOpen() && counter != null && listener.unsafe() instanceof AbstractNioChannel.NioUnsafe nio) {
			RecvByteBufAllocator allocator = listener.config().getRecvByteBufAllocator();
			if (allocator instanceof MaxMessagesRecvByteBufAllocator maxMessages) {
				maxMessages.maxMessagesPerRead(Integer.MAX_VALUE);
			}
			for (int reads = 0; reads < MAX_BACKLOG_READS; reads++) {
				long before = counter.count;
				nio.read();
				if (counter.count == before) {
					break;
				}
			}
		}
		listener.close();
	}

	/** Counts the connections a listener accepts, on its event loop. */
	private static final class AcceptCounter extends ChannelInboundHandlerAdapter {

		private final Consumer<Object> onAccept;

		private long count;

		AcceptCounter(Consumer<Object> onAccept) {
			this.onAccept = onAccept;
		}

		@Override
		public void channelRead(ChannelHandlerContext context, Object connection) {
			this.count++;
			this.onAccept.accept(connection);
			context.fireChannelRead(connection);
		}

	}

}
