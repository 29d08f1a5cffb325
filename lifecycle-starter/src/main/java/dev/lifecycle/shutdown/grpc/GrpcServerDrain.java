package dev.lifecycle.shutdown.grpc;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.grpc.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;

import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownPhase;

/**
 * Phase 3 for Boot's gRPC servers, beside the web server's graceful shutdown and in the
 * same lifecycle phase: {@link Server#shutdown()} stops accepting connections (on Netty,
 * {@link NettyGrpcListeners} closed the listeners just before, serving what they had
 * queued) and sends each connection a graceful {@code GOAWAY}, then the calls in flight
 * get what is left of the drain timeout. The streams the drain ended (see
 * {@link InFlightCallInterceptor}) are already closed with {@code UNAVAILABLE}. What
 * still runs when the drain ends is abandoned and reported by the shutdown sequence, and
 * only then cut by {@link DrainedGrpcServerLifecycle}'s {@link Server#shutdownNow()}.
 */
public final class GrpcServerDrain implements SmartLifecycle, ApplicationListener<GrpcServerStartedEvent> {

	private static final Logger logger = LoggerFactory.getLogger(GrpcServerDrain.class);

	private final ShutdownCoordinator coordinator;

	private final InFlightCallInterceptor calls;

	private final List<Server> servers = new CopyOnWriteArrayList<>();

	private volatile boolean running;

	/**
	 * Creates the drain.
	 *
	 * @param coordinator the shutdown sequence, which bounds the drain
	 * @param calls the calls in flight, whose uncounted streams the drain ends
	 */
	public GrpcServerDrain(ShutdownCoordinator coordinator, InFlightCallInterceptor calls) {
		this.coordinator = coordinator;
		this.calls = calls;
	}

	@Override
	public void onApplicationEvent(GrpcServerStartedEvent event) {
		this.servers.add(event.getServer());
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		drain();
	}

	@Override
	public void stop(Runnable callback) {
		// Beside the web server's drain, not after it: both run within one drain timeout.
		Thread drain = new Thread(() -> {
			try {
				drain();
			}
			finally {
				callback.run();
			}
		}, "lifecycle-grpc-drain");
		drain.setDaemon(true);
		drain.start();
	}

	private void drain() {
		this.running = false;
		this.calls.endUntrackedStreams();
		for (Server server : this.servers) {
			server.shutdown();
		}
		long deadline = System.nanoTime() + timeout().toNanos();
		try {
			for (Server server : this.servers) {
				long left = deadline - System.nanoTime();
				if (left <= 0 || !server.awaitTermination(left, TimeUnit.NANOSECONDS)) {
					logger.debug("gRPC server on port {} still has calls in flight at the end of the drain",
							server.getPort());
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private Duration timeout() {
		return (this.coordinator.phase() == ShutdownPhase.DRAIN) ? this.coordinator.drainTimeLeft()
				: this.coordinator.budget().drainTimeout().value();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE;
	}

}
