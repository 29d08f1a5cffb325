package dev.lifecycle.probes;

import java.util.Map;

/**
 * What a {@link HealthCheck} found: one of Boot's status codes and the details behind it.
 *
 * @param status {@code UP}, {@code DOWN} or {@code OUT_OF_SERVICE}, as Boot's {@code Status} codes
 * @param details what explains the status; shown only where the health group shows details
 */
public record HealthState(String status, Map<String, Object> details) {

	/**
	 * Creates a state; the details are copied.
	 *
	 * @param status the status code
	 * @param details what explains the status
	 */
	public HealthState {
		details = Map.copyOf(details);
	}

	/** {@return the state of a check that passes} */
	public static HealthState up() {
		return new HealthState("UP", Map.of());
	}

	/**
	 * {@return the state of a check that fails}
	 *
	 * @param detail the name of the detail that says why
	 * @param value what it says
	 */
	public static HealthState down(String detail, Object value) {
		return new HealthState("DOWN", Map.of(detail, value));
	}

	/**
	 * {@return the state of something not ready to serve yet}
	 *
	 * @param detail the name of the detail that says why
	 * @param value what it says
	 */
	public static HealthState outOfService(String detail, Object value) {
		return new HealthState("OUT_OF_SERVICE", Map.of(detail, value));
	}

}
