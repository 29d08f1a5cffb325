package dev.lifecycle.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;

/**
 * Configuration of the lifecycle starter, under the {@code lifecycle} prefix.
 */
@ConfigurationProperties("lifecycle")
public class LifecycleProperties {

	/**
	 * Whether the starter is active. When false, the application behaves exactly as plain
	 * Spring Boot.
	 */
	private boolean enabled = true;

	/**
	 * Time Kubernetes gives the pod between SIGTERM and SIGKILL. Must equal the pod's
	 * terminationGracePeriodSeconds; set both from one value. A bare number is in seconds,
	 * like terminationGracePeriodSeconds.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private Duration terminationGracePeriod = Duration.ofSeconds(30);

	private final Shutdown shutdown = new Shutdown();

	private final Probes probes = new Probes();

	private final Warmup warmup = new Warmup();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getTerminationGracePeriod() {
		return this.terminationGracePeriod;
	}

	public void setTerminationGracePeriod(Duration terminationGracePeriod) {
		this.terminationGracePeriod = terminationGracePeriod;
	}

	public Shutdown getShutdown() {
		return this.shutdown;
	}

	public Probes getProbes() {
		return this.probes;
	}

	public Warmup getWarmup() {
		return this.warmup;
	}

	public static class Shutdown {

		/**
		 * Longest time to keep serving after readiness flips, while the endpoint removal
		 * propagates to load balancers. Defaults to 5s on Kubernetes and 0 elsewhere.
		 */
		private @Nullable Duration delay;

		/**
		 * End the delay early once no request arrived for this long. Unset by default:
		 * on a low-traffic service a quiet moment does not prove that the endpoint
		 * removal has propagated.
		 */
		private @Nullable Duration quietPeriod;

		/**
		 * Longest wait for in-flight requests once the server stops accepting. Defaults
		 * to spring.lifecycle.timeout-per-shutdown-phase when that is set, otherwise to
		 * termination-grace-period - delay - margin.
		 */
		private @Nullable Duration drainTimeout;

		/**
		 * Time kept for the rest of the application context (pools, executors) to close
		 * after the drain.
		 */
		private Duration margin = Duration.ofSeconds(2);

		/**
		 * Whether responses carry "Connection: close" from the moment shutdown begins, so
		 * keep-alive clients reconnect to another pod.
		 */
		private boolean connectionClose = true;

		public @Nullable Duration getDelay() {
			return this.delay;
		}

		public void setDelay(@Nullable Duration delay) {
			this.delay = delay;
		}

		public @Nullable Duration getQuietPeriod() {
			return this.quietPeriod;
		}

		public void setQuietPeriod(@Nullable Duration quietPeriod) {
			this.quietPeriod = quietPeriod;
		}

		public @Nullable Duration getDrainTimeout() {
			return this.drainTimeout;
		}

		public void setDrainTimeout(@Nullable Duration drainTimeout) {
			this.drainTimeout = drainTimeout;
		}

		public Duration getMargin() {
			return this.margin;
		}

		public void setMargin(Duration margin) {
			this.margin = margin;
		}

		public boolean isConnectionClose() {
			return this.connectionClose;
		}

		public void setConnectionClose(boolean connectionClose) {
			this.connectionClose = connectionClose;
		}

	}

	public static class Probes {

		/**
		 * Whether to configure the startup, liveness and readiness health groups and
		 * their main-port paths /startupz, /livez and /readyz.
		 */
		private boolean enabled = true;

		private final Liveness liveness = new Liveness();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Liveness getLiveness() {
			return this.liveness;
		}

		public static class Liveness {

			/**
			 * Whether liveness goes DOWN when threads of the JVM are deadlocked.
			 */
			private boolean deadlockCheck = true;

			public boolean isDeadlockCheck() {
				return this.deadlockCheck;
			}

			public void setDeadlockCheck(boolean deadlockCheck) {
				this.deadlockCheck = deadlockCheck;
			}

		}

	}

	public static class Warmup {

		/**
		 * Whether to warm the application up between start-up and readiness: readiness
		 * and the startup probe stay DOWN until the warm-up ends.
		 */
		private boolean enabled = false;

		/**
		 * Paths of the application itself to request during the warm-up, such as
		 * "/hello". A path may be preceded by GET or HEAD ("HEAD /hello"); GET when
		 * omitted.
		 */
		private List<String> paths = new ArrayList<>();

		/**
		 * How many times each path is requested.
		 */
		private int iterations = 20;

		/**
		 * How many warm-up requests and tasks run at once.
		 */
		private int concurrency = 2;

		/**
		 * The warm-up's budget. When it runs out, the application becomes ready anyway,
		 * partly warm. Keep it well inside the startup probe's failureThreshold x
		 * periodSeconds.
		 */
		private Duration timeout = Duration.ofSeconds(30);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public List<String> getPaths() {
			return this.paths;
		}

		public void setPaths(List<String> paths) {
			this.paths = paths;
		}

		public int getIterations() {
			return this.iterations;
		}

		public void setIterations(int iterations) {
			this.iterations = iterations;
		}

		public int getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(int concurrency) {
			this.concurrency = concurrency;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

}
