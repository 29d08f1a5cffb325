package dev.lifecycle.shutdown.tomcat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;

import dev.lifecycle.shutdown.DrainBoundary;
import dev.lifecycle.shutdown.ShutdownCoordinator;

/**
 * Holds the end of the drain until every connection Tomcat accepted during the shutdown
 * has been served. Boot's drain only sees requests already inside the servlet container:
 * a connection taken from the backlog, or one queued for a worker thread, is not a
 * request yet, and Tomcat's stop would close it unanswered. Stops after Boot's drain and
 * before the {@link DrainBoundary#end end of the drain}, and never beyond the drain
 * timeout.
 */
public final class AcceptedConnectionsDrain implements SmartLifecycle, ApplicationListener<ContextClosedEvent> {

	private static final long POLL_MILLIS = 10;

	private final ShutdownCoordinator coordinator;

	private final List<GracefulNioEndpoint> endpoints = new CopyOnWriteArrayList<>();

	private volatile boolean running;

	/**
	 * Creates the drain.
	 *
	 * @param coordinator the shutdown sequence whose drain timeout bounds the wait
	 */
	public AcceptedConnectionsDrain(ShutdownCoordinator coordinator) {
		this.coordinator = coordinator;
	}

	/**
	 * Adds an endpoint of the application's web server.
	 *
	 * @param endpoint the endpoint
	 */
	public void register(GracefulNioEndpoint endpoint) {
		this.endpoints.add(endpoint);
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void onApplicationEvent(ContextClosedEvent event) {
		this.endpoints.forEach(GracefulNioEndpoint::trackNewConnections);
	}

	@Override
	public void stop() {
		this.running = false;
		long deadline = System.nanoTime() + this.coordinator.drainTimeLeft().toNanos();
		while (awaitingService() && System.nanoTime() < deadline) {
			try {
				TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	private boolean awaitingService() {
		if (this.coordinator.requests().count() > 0) {
			return true;
		}
		for (GracefulNioEndpoint endpoint : this.endpoints) {
			if (endpoint.hasConnectionsAwaitingService()) {
				return true;
			}
		}
		return false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return DrainBoundary.WEB_SERVER_GRACEFUL_SHUTDOWN_PHASE - 1;
	}

}
