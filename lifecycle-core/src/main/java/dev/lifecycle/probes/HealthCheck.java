package dev.lifecycle.probes;

/**
 * A health check written once for every Boot line. Each line's starter shows it to Boot's
 * health endpoint and probe groups as a {@code HealthIndicator}, whose package differs
 * between Boot 3 and Boot 4.
 */
@FunctionalInterface
public interface HealthCheck {

	/** {@return the state this check finds now} */
	HealthState check();

}
