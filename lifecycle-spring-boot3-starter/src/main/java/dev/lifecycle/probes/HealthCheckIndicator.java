package dev.lifecycle.probes;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

/** Shows one of the starter's {@link HealthCheck}s to Boot 3's health groups. */
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
