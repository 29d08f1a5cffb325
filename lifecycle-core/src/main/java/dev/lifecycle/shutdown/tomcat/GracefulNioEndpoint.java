package dev.lifecycle.shutdown.tomcat;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.coyote.Processor;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.jspecify.annotations.Nullable;

import dev.lifecycle.shutdown.NewConnections;

/**
 * A {@link NioEndpoint} that stops accepting without cutting a connection it already
 * has. Tomcat's pause leaves the connections the kernel completed in the listen backlog
 * until the socket closes, and the kernel then resets them; and a paused endpoint answers
 * 503 to requests it had accepted but not yet read. Here, the first pause (Boot's graceful
 * shutdown) stops the acceptor, takes every connection still in the backlog, closes the
 * listening socket (new connections are refused from then on), and serves all of them.
 */
public class GracefulNioEndpoint extends NioEndpoint {

	// Set while a socket that Tomcat would destroy is handed to the poller instead.
	private static final ThreadLocal<Boolean> HANDING_OFF = ThreadLocal.withInitial(() -> false);

	private final AtomicBoolean listenerClosing = new AtomicBoolean();

	private final Set<SocketChannel> undispatched = ConcurrentHashMap.newKeySet();

	// HTTP/2 connections that served a stream; weak, as Tomcat drops a connection's wrapper when it closes.
	private final Set<SocketWrapperBase<?>> servedAStream = Collections
		.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

	private volatile boolean tracking;

	private volatile @Nullable NewConnections newConnections;

	/** Creates the endpoint; {@link GracefulHttp11NioProtocol} does, for Tomcat. */
	public GracefulNioEndpoint() {
	}

	@Override
	public void pause() {
		if (!isRunning() || !this.listenerClosing.compareAndSet(false, true)) {
			// Tomcat's own stop: the listener is closed already, now pause for real.
			super.pause();
			return;
		}
		// The acceptor leaves its loop after the accept it is blocked in; the socket that
		// accept returns comes to destroySocket, which serves it.
		this.acceptor.stopMillis(-1);
		unlockAccept();
		try {
			serveBacklog();
			doCloseServerSocket();
		}
		catch (IOException ex) {
			getLog().warn("Could not close the listening socket of " + getName() + " gracefully", ex);
		}
		// HTTP/2 connections stop taking new streams.
		getHandler().pause();
	}

	/**
	 * Sends a graceful GOAWAY (last stream id 2^31-1) on each HTTP/2 connection that has
	 * served a stream and not had one: Tomcat's HTTP/2 handler does so when its connection
	 * is paused, then refuses streams the client opens after one round trip, with a second
	 * GOAWAY naming the last stream it serves. A connection that has served no stream yet
	 * (one opened during the delay, or a client's spare) is left alone until it has: a
	 * GOAWAY before its first stream would refuse it. Other connections ignore the pause.
	 * The endpoint itself keeps accepting.
	 */
	public void goAwayHttp2() {
		if (!isRunning()) {
			return;
		}
		for (SocketWrapperBase<NioChannel> connection : getConnections()) {
			if (this.servedAStream.contains(connection)) {
				// As Tomcat's own pause does: a processor in use is hidden, and paused next time.
				Object processor = connection.takeCurrentProcessor();
				if (processor != null) {
					try {
						((Processor) processor).pause();
					}
					finally {
						connection.setCurrentProcessor(processor);
					}
				}
			}
		}
	}

	/**
	 * Notes that an HTTP/2 connection started serving its first stream.
	 *
	 * @param connection the connection
	 */
	void firstStreamServed(SocketWrapperBase<?> connection) {
		this.servedAStream.add(connection);
	}

	/**
	 * Reports each connection this endpoint accepts from now on.
	 *
	 * @param connections where accepted connections are counted
	 */
	public void reportAcceptsTo(NewConnections connections) {
		this.newConnections = connections;
		connections.observed();
	}

	/**
	 * From now on, remember each new connection until a worker takes it up. Called when
	 * the shutdown begins: until then, this costs nothing per connection.
	 */
	public void trackNewConnections() {
		this.tracking = true;
	}

	/**
	 * {@return whether a connection still waits to be served} That is one accepted since
	 * tracking began but not yet handed to a worker, or queued for a worker, or being
	 * served. Idle keep-alive connections do not count: they have no request to lose.
	 */
	public boolean hasConnectionsAwaitingService() {
		this.undispatched.removeIf((socket) -> !socket.isOpen());
		if (!this.undispatched.isEmpty()) {
			return true;
		}
		return getExecutor() instanceof ThreadPoolExecutor workers
				&& (workers.getActiveCount() > 0 || !workers.getQueue().isEmpty());
	}

	@Override
	protected boolean setSocketOptions(SocketChannel socket) {
		NewConnections connections = this.newConnections;
		if (connections != null) {
			connections.accepted();
		}
		// Before the poller can see it, so that its dispatch always comes after.
		if (this.tracking) {
			this.undispatched.add(socket);
		}
		if (super.setSocketOptions(socket)) {
			return true;
		}
		this.undispatched.remove(socket);
		return false;
	}

	@Override
	public boolean processSocket(SocketWrapperBase<NioChannel> socketWrapper, SocketEvent event, boolean dispatch) {
		if (this.tracking && socketWrapper != null) {
			this.undispatched.remove(socketWrapper.getSocket().getIOChannel());
		}
		return super.processSocket(socketWrapper, event, dispatch);
	}

	@Override
	protected void destroySocket(SocketChannel socket) {
		if (this.listenerClosing.get() && !HANDING_OFF.get()) {
			handOff(socket);
			return;
		}
		super.destroySocket(socket);
	}

	private void serveBacklog() throws IOException {
		ServerSocketChannel listener = (ServerSocketChannel) getServerSocket();
		if (listener == null || !listener.isOpen()) {
			return;
		}
		// Waits for the acceptor to leave accept(), then takes what the kernel queued.
		listener.configureBlocking(false);
		for (SocketChannel socket = listener.accept(); socket != null; socket = listener.accept()) {
			try {
				countUpOrAwaitConnection();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			handOff(socket);
		}
	}

	private void handOff(SocketChannel socket) {
		HANDING_OFF.set(true);
		try {
			if (!setSocketOptions(socket)) {
				closeSocket(socket);
			}
		}
		finally {
			HANDING_OFF.remove();
		}
	}

}
