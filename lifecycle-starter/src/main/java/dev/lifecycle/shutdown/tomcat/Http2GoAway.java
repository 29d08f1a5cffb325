package dev.lifecycle.shutdown.tomcat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Sends Tomcat's graceful GOAWAY to the HTTP/2 connections of its endpoints, on a thread
 * of its own: a GOAWAY is written with a blocking write, which a client that stopped
 * reading would hold up to Tomcat's write timeout. Requests for a sweep while one is
 * waiting to run are merged into it.
 */
public final class Http2GoAway implements Runnable, DisposableBean {

	private final List<GracefulNioEndpoint> endpoints = new CopyOnWriteArrayList<>();

	private final AtomicBoolean sweepPending = new AtomicBoolean();

	private final ExecutorService sweeper = Executors
		.newSingleThreadExecutor(new CustomizableThreadFactory("lifecycle-http2-goaway-"));

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

	/** Sends GOAWAY to every HTTP/2 connection that has not had one, soon. */
	@Override
	public void run() {
		if (this.sweepPending.compareAndSet(false, true)) {
			this.sweeper.execute(() -> {
				this.sweepPending.set(false);
				this.endpoints.forEach(GracefulNioEndpoint::goAwayHttp2);
			});
		}
	}

	@Override
	public void destroy() {
		this.sweeper.shutdownNow();
	}

}
