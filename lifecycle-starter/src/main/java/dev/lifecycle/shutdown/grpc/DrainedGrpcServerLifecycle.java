package dev.lifecycle.shutdown.grpc;

import java.time.Duration;

import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.grpc.server.GrpcServerFactory;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/**
 * Boot's gRPC server lifecycle, stopped after the drain rather than first of all. Boot's
 * stops in the highest phase, before the shutdown sequence's drain begins, and waits out
 * its own grace period ({@code spring.grpc.server.shutdown.grace-period}) there, then cuts
 * what is left before it could be reported. Here {@link GrpcServerDrain} drains within
 * the drain timeout, the sequence reports what is still running, and then this one
 * {@code shutdownNow()}s the server at once, publishing Boot's shutdown and terminated
 * events as before.
 */
public final class DrainedGrpcServerLifecycle extends GrpcServerLifecycle {

	/**
	 * Creates the lifecycle of one gRPC server.
	 *
	 * @param factory the factory of the server, as Boot configured it
	 * @param eventPublisher where the server's started, shutdown and terminated events go
	 */
	public DrainedGrpcServerLifecycle(GrpcServerFactory factory, ApplicationEventPublisher eventPublisher) {
		// No grace period of its own: the drain before it had the drain timeout.
		super(factory, Duration.ZERO, eventPublisher);
	}

	/**
	 * {@return a phase below the end of the drain: stops once the abandoned calls are
	 * reported}
	 */
	@Override
	public int getPhase() {
		return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 3;
	}

}
