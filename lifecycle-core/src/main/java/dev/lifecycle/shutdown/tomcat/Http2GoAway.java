package dev.lifecycle.shutdown.tomcat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Sends Tomcat's graceful GOAWAY to the HTTP/2 connections of its endpoints, from the
 * moment shutdown begins, on a thread of its own: a GOAWAY is written with a blocking
 * write, which a client that stopped reading would hold up to Tomcat's write timeout. The
 * connections are swept again every {@value #SWEEP_MILLIS} ms, because Tomcat hides a
 * connection's handler while a thread reads from it, and because connections opened during
 * the delay need one once they have served a stream; a connection that already had its
 * GOAWAY ignores the next.
 */
public final class Http2GoAway implements Runnable {

	private static final long SWEEP_MILLIS = 100;

	private final List<GracefulNioEndpoint> endpoints = new CopyOnWriteArrayList<>();

	private final AtomicBoolean started = new AtomicBoolean();

	private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(daemonThreads());

	/** Creates the sender, with no endpoint yet. */
	public Http2GoAway() {
	}

	/**
	 * Adds an endpoint whose HTTP/2 connections get a GOAWAY.
	 *
	 * @param endpoint the endpoint
	 */
	public void register(GracefulNioEndpoint endpoint) {
		this.endpoints.add(endpoint);
	}

	/** Starts sending GOAWAY to every HTTP/2 connection, until the application stops. */
	@Override
	public void run() {
		if (this.started.compareAndSet(false, true)) {
			this.sweeper.scheduleWithFixedDelay(() -> this.endpoints.forEach(GracefulNioEndpoint::goAwayHttp2), 0,
					SWEEP_MILLIS, TimeUnit.MILLISECONDS);
		}
	}

	/** Stops the sweep: the application's servers have stopped. */
	public void stop() {
		this.sweeper.shutdownNow();
	}

	// Daemon: a sweep left running must not keep a JVM alive whose context was closed.
	private static CustomizableThreadFactory daemonThreads() {
		CustomizableThreadFactory threads = new CustomizableThreadFactory("lifecycle-http2-goaway-");
		threads.setDaemon(true);
		return threads;
	}

}
