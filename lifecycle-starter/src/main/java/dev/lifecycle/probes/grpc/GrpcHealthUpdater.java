package dev.lifecycle.probes.grpc;

import io.grpc.protobuf.services.HealthStatusManager;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.grpc.server.health.GrpcServerHealth;
import org.springframework.context.ApplicationListener;

/**
 * Updates the gRPC health services the moment liveness or readiness changes. Boot's own
 * schedule polls every few seconds, and its first update comes seconds after start: too
 * late for readiness at SIGTERM, and until then the service {@code ""} answers SERVING by
 * default, before the application is ready.
 * <p>
 * It reads the new state through the health indicators, so it must run after
 * {@link ApplicationAvailability} recorded it. Both listeners have the default order,
 * and this one asks for the availability bean, which is therefore created, and registered
 * as a listener, first.
 */
public final class GrpcHealthUpdater implements ApplicationListener<AvailabilityChangeEvent<?>>, SmartInitializingSingleton {

	private final GrpcServerHealth health;

	private final HealthStatusManager statusManager;

	/**
	 * Creates the updater.
	 *
	 * @param health Boot's mapping of health indicators to gRPC services
	 * @param statusManager grpc-java's store of the statuses the health service answers with
	 * @param availability the state that the liveness and readiness indicators read, asked
	 * for so that it is a listener before this one
	 */
	public GrpcHealthUpdater(GrpcServerHealth health, HealthStatusManager statusManager,
			ApplicationAvailability availability) {
		this.health = health;
		this.statusManager = statusManager;
	}

	/** Before the gRPC server starts: no service says SERVING before the application does. */
	@Override
	public void afterSingletonsInstantiated() {
		update();
	}

	@Override
	public void onApplicationEvent(AvailabilityChangeEvent<?> event) {
		update();
	}

	private void update() {
		this.health.update(this.statusManager);
	}

}
