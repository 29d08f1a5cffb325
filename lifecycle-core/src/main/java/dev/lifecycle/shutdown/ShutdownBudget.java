package dev.lifecycle.shutdown;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How the shutdown sequence spends the time Kubernetes gives a stopping pod, with where
 * each value came from.
 *
 * @param terminationGracePeriod time between SIGTERM and SIGKILL
 * @param delay longest time to keep serving after readiness flips
 * @param quietPeriod ends the delay early once no new connection arrived for this long, if set
 * @param minDelay the floor: the quiet period cannot end the delay earlier; set with the quiet period
 * @param drainTimeout longest wait for in-flight requests
 * @param margin time kept for the rest of the context to close
 */
public record ShutdownBudget(Setting terminationGracePeriod, Setting delay, @Nullable Setting quietPeriod,
		@Nullable Setting minDelay, Setting drainTimeout, Setting margin) {

	/** {@return delay, drain timeout and margin together: what must fit in the grace period} */
	public Duration planned() {
		return this.delay.value().plus(this.drainTimeout.value()).plus(this.margin.value());
	}

	/**
	 * {@return the time from the start of the shutdown by which all work must be done:
	 * the grace period less the margin} Requests are bounded by the delay and the drain
	 * timeout inside it; scheduled jobs and async tasks, which need no routing, run up to it.
	 */
	public Duration deadline() {
		return this.terminationGracePeriod.value().minus(this.margin.value());
	}

	/** {@return whether the plan leaves Kubernetes no reason to SIGKILL the pod} */
	public boolean fitsGracePeriod() {
		return planned().compareTo(this.terminationGracePeriod.value()) <= 0;
	}

	/**
	 * One value of the budget.
	 *
	 * @param property the property that sets it
	 * @param value the value in force
	 * @param source where the value came from: a default, a derivation or the origin of
	 * the user's setting
	 */
	public record Setting(String property, Duration value, String source) {

		/** {@return the value as a user would write it in a property: {@code 30s}, {@code 500ms}} */
		public String formatted() {
			return format(this.value);
		}

		@Override
		public String toString() {
			return this.property + " (" + formatted() + ", " + this.source + ")";
		}

		/**
		 * Writes a duration as a user would in a property.
		 *
		 * @param duration the duration
		 * @return whole seconds when it is a whole number of them ({@code 30s}), otherwise
		 * milliseconds ({@code 500ms})
		 */
		public static String format(Duration duration) {
			long millis = duration.toMillis();
			return (millis % 1000 == 0) ? (millis / 1000) + "s" : millis + "ms";
		}

	}

}
