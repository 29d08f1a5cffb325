package dev.lifecycle.probes;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/** Shows one of the starter's {@link HealthCheck}s to Boot 4's health groups. */
public final class HealthCheckIndicator implements HealthIndicator {

	private final HealthCheck check;

	/**
	 * Creates the indicator.
	 *
	 * @param check the check it shows
	 */
	public HealthCheckIndicator(HealthCheck check) {
		this.check = check;
	}

	@Override
	public Health health() {
		HealthState state = this.check.check();
		return Health.status(new Status(state.status())).withDetails(state.details()).build();
	}

}
