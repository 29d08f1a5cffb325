package dev.lifecycle.probes.grpc;

import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.grpc.server.health.HealthCheckedGrpcComponent;
import org.springframework.boot.grpc.server.health.HealthCheckedGrpcComponents;

/**
 * Boot's gRPC health components, except that the server as a whole (service name
 * {@code ""}) reports what the {@code readiness} service reports. Clients and balancers
 * that check {@code ""} ask "may I send calls here?", which is readiness, not the sum of
 * every health indicator; and it must say NOT_SERVING at the moment of SIGTERM.
 */
public final class OverallHealthFollowsReadiness implements HealthCheckedGrpcComponents {

	/** The service name of the readiness probe. */
	public static final String READINESS_SERVICE = "readiness";

	private final HealthCheckedGrpcComponents components;

	/**
	 * Wraps Boot's components.
	 *
	 * @param components the components Boot configured from
	 * {@code spring.grpc.server.health.*}
	 */
	public OverallHealthFollowsReadiness(HealthCheckedGrpcComponents components) {
		this.components = components;
	}

	/**
	 * {@return the readiness service's component, or Boot's own when there is no readiness
	 * service; {@code null} when the overall health is switched off}
	 */
	@Override
	public @Nullable HealthCheckedGrpcComponent getServer() {
		HealthCheckedGrpcComponent server = this.components.getServer();
		HealthCheckedGrpcComponent readiness = this.components.getService(READINESS_SERVICE);
		return (server != null && readiness != null) ? readiness : server;
	}

	@Override
	public Set<String> getServiceNames() {
		return this.components.getServiceNames();
	}

	@Override
	public @Nullable HealthCheckedGrpcComponent getService(String serviceName) {
		return this.components.getService(serviceName);
	}

}
