package dev.lifecycle.shutdown.tomcat;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

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
	 * not had one: Tomcat's HTTP/2 handler does so when its connection is paused, then
	 * refuses streams the client opens after one round trip, with a second GOAWAY naming
	 * the last stream it serves. Other connections ignore the pause. The endpoint itself
	 * keeps accepting.
	 */
	public void goAwayHttp2() {
		Handler<NioChannel> handler = getHandler();
		if (handler != null && isRunning()) {
			handler.pause();
		}
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
