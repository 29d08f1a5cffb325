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

	/** Creates the properties with their defaults; Boot binds the {@code lifecycle.*} values. */
	public LifecycleProperties() {
	}

	/** {@return whether the starter is active} */
	public boolean isEnabled() {
		return this.enabled;
	}

	/**
	 * Sets whether the starter is active.
	 *
	 * @param enabled whether the starter is active
	 */
	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	/** {@return the time Kubernetes gives the pod between SIGTERM and SIGKILL} */
	public Duration getTerminationGracePeriod() {
		return this.terminationGracePeriod;
	}

	/**
	 * Sets the time Kubernetes gives the pod between SIGTERM and SIGKILL.
	 *
	 * @param terminationGracePeriod the time Kubernetes gives the pod between SIGTERM and SIGKILL
	 */
	public void setTerminationGracePeriod(Duration terminationGracePeriod) {
		this.terminationGracePeriod = terminationGracePeriod;
	}

	/** {@return the shutdown settings, under {@code lifecycle.shutdown}} */
	public Shutdown getShutdown() {
		return this.shutdown;
	}

	/** {@return the probe settings, under {@code lifecycle.probes}} */
	public Probes getProbes() {
		return this.probes;
	}

	/** {@return the warm-up settings, under {@code lifecycle.warmup}} */
	public Warmup getWarmup() {
		return this.warmup;
	}

	/** Shutdown settings: the delay, the drain and the margin after it. */
	public static class Shutdown {

		/**
		 * Longest time to keep serving after readiness flips, while the endpoint removal
		 * propagates to load balancers. Defaults to 5s on Kubernetes and 0 elsewhere.
		 */
		private @Nullable Duration delay;

		/**
		 * End the delay early once no new connection arrived for this long (no new
		 * request where the web server does not report connections), but not before
		 * min-delay. Unset by default: the delay always runs to its end.
		 */
		private @Nullable Duration quietPeriod;

		/**
		 * The floor of the quiet period: the delay never ends earlier, since endpoint
		 * removal takes time to reach every load balancer whatever the traffic. Defaults
		 * to 3s, or the delay when that is shorter.
		 */
		private @Nullable Duration minDelay;

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

		/**
		 * Whether the drain closes open WebSocket sessions with close code 1001 (Going
		 * Away), so their clients reconnect to another pod. Sessions are counted and
		 * reported either way.
		 */
		private boolean websocketGoingAway = true;

		/** Creates the shutdown settings with their defaults. */
		public Shutdown() {
		}

		/** {@return the longest time to keep serving after readiness flips; {@code null} for the default} */
		public @Nullable Duration getDelay() {
			return this.delay;
		}

		/**
		 * Sets the longest time to keep serving after readiness flips.
		 *
		 * @param delay the longest time to keep serving after readiness flips
		 */
		public void setDelay(@Nullable Duration delay) {
			this.delay = delay;
		}

		/** {@return the quiet time that ends the delay early; {@code null} when unset} */
		public @Nullable Duration getQuietPeriod() {
			return this.quietPeriod;
		}

		/**
		 * Sets the quiet time that ends the delay early.
		 *
		 * @param quietPeriod the quiet time that ends the delay early
		 */
		public void setQuietPeriod(@Nullable Duration quietPeriod) {
			this.quietPeriod = quietPeriod;
		}

		/** {@return the earliest the quiet period may end the delay; {@code null} for the default} */
		public @Nullable Duration getMinDelay() {
			return this.minDelay;
		}

		/**
		 * Sets the earliest the quiet period may end the delay.
		 *
		 * @param minDelay the earliest the quiet period may end the delay
		 */
		public void setMinDelay(@Nullable Duration minDelay) {
			this.minDelay = minDelay;
		}

		/**
		 * {@return the longest wait for in-flight requests once the server stops accepting; {@code null} for the default}
		 */
		public @Nullable Duration getDrainTimeout() {
			return this.drainTimeout;
		}

		/**
		 * Sets the longest wait for in-flight requests once the server stops accepting.
		 *
		 * @param drainTimeout the longest wait for in-flight requests once the server stops accepting
		 */
		public void setDrainTimeout(@Nullable Duration drainTimeout) {
			this.drainTimeout = drainTimeout;
		}

		/** {@return the time kept for the rest of the context to close after the drain} */
		public Duration getMargin() {
			return this.margin;
		}

		/**
		 * Sets the time kept for the rest of the context to close after the drain.
		 *
		 * @param margin the time kept for the rest of the context to close after the drain
		 */
		public void setMargin(Duration margin) {
			this.margin = margin;
		}

		/** {@return whether responses carry {@code Connection: close} from the moment shutdown begins} */
		public boolean isConnectionClose() {
			return this.connectionClose;
		}

		/**
		 * Sets whether responses carry {@code Connection: close} from the moment shutdown begins.
		 *
		 * @param connectionClose whether responses carry {@code Connection: close} from the moment shutdown begins
		 */
		public void setConnectionClose(boolean connectionClose) {
			this.connectionClose = connectionClose;
		}

		/** {@return whether the drain closes open WebSocket sessions with 1001 (Going Away)} */
		public boolean isWebsocketGoingAway() {
			return this.websocketGoingAway;
		}

		/**
		 * Sets whether the drain closes open WebSocket sessions with 1001 (Going Away).
		 *
		 * @param websocketGoingAway whether the drain closes open WebSocket sessions with 1001
		 */
		public void setWebsocketGoingAway(boolean websocketGoingAway) {
			this.websocketGoingAway = websocketGoingAway;
		}

	}

	/** Probe settings: the three health groups and their paths. */
	public static class Probes {

		/**
		 * Whether to configure the startup, liveness and readiness health groups and
		 * their main-port paths /startupz, /livez and /readyz.
		 */
		private boolean enabled = true;

		private final Liveness liveness = new Liveness();

		/** Creates the probe settings with their defaults. */
		public Probes() {
		}

		/** {@return whether to configure the startup, liveness and readiness health groups} */
		public boolean isEnabled() {
			return this.enabled;
		}

		/**
		 * Sets whether to configure the startup, liveness and readiness health groups.
		 *
		 * @param enabled whether to configure the startup, liveness and readiness health groups
		 */
		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		/** {@return the liveness settings, under {@code lifecycle.probes.liveness}} */
		public Liveness getLiveness() {
			return this.liveness;
		}

		/** Liveness probe settings. */
		public static class Liveness {

			/**
			 * Whether liveness goes DOWN when threads of the JVM are deadlocked.
			 */
			private boolean deadlockCheck = true;

			/** Creates the liveness settings with their defaults. */
			public Liveness() {
			}

			/** {@return whether liveness goes DOWN when threads of the JVM are deadlocked} */
			public boolean isDeadlockCheck() {
				return this.deadlockCheck;
			}

			/**
			 * Sets whether liveness goes DOWN when threads of the JVM are deadlocked.
			 *
			 * @param deadlockCheck whether liveness goes DOWN when threads of the JVM are deadlocked
			 */
			public void setDeadlockCheck(boolean deadlockCheck) {
				this.deadlockCheck = deadlockCheck;
			}

		}

	}

	/** Warm-up settings: what to request before readiness, and the budget. */
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
		 * When the requests end: once the JIT settled (each path requested at most
		 * "iterations" times), or after exactly "iterations" requests to each path. A JVM
		 * that does not report its compilation time gets the fixed iterations.
		 */
		private Until until = Until.JIT_SETTLED;

		/**
		 * How many times each path is requested: at most with until=jit-settled, exactly
		 * with until=iterations.
		 */
		private int iterations = 50000;

		/**
		 * How far back the JIT's compilation time is compared, with until=jit-settled.
		 */
		private Duration settleWindow = Duration.ofSeconds(3);

		/**
		 * The JIT counts as settled once the JVM's total compilation time grew by less than
		 * this over the settle window, with until=jit-settled.
		 */
		private Duration settleThreshold = Duration.ofMillis(300);

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

		/** Creates the warm-up settings with their defaults. */
		public Warmup() {
		}

		/** {@return whether to warm the application up between start-up and readiness} */
		public boolean isEnabled() {
			return this.enabled;
		}

		/**
		 * Sets whether to warm the application up between start-up and readiness.
		 *
		 * @param enabled whether to warm the application up between start-up and readiness
		 */
		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		/** {@return the paths of the application requested during the warm-up} */
		public List<String> getPaths() {
			return this.paths;
		}

		/**
		 * Sets the paths of the application requested during the warm-up.
		 *
		 * @param paths the paths of the application requested during the warm-up
		 */
		public void setPaths(List<String> paths) {
			this.paths = paths;
		}

		/** {@return when the requests end} */
		public Until getUntil() {
			return this.until;
		}

		/**
		 * Sets when the requests end.
		 *
		 * @param until when the requests end
		 */
		public void setUntil(Until until) {
			this.until = until;
		}

		/** {@return how many times each path is requested, at most or exactly} */
		public int getIterations() {
			return this.iterations;
		}

		/**
		 * Sets how many times each path is requested, at most or exactly.
		 *
		 * @param iterations how many times each path is requested, at most or exactly
		 */
		public void setIterations(int iterations) {
			this.iterations = iterations;
		}

		/** {@return how far back the JIT's compilation time is compared} */
		public Duration getSettleWindow() {
			return this.settleWindow;
		}

		/**
		 * Sets how far back the JIT's compilation time is compared.
		 *
		 * @param settleWindow how far back the JIT's compilation time is compared
		 */
		public void setSettleWindow(Duration settleWindow) {
			this.settleWindow = settleWindow;
		}

		/** {@return the compilation time over the settle window below which the JIT counts as settled} */
		public Duration getSettleThreshold() {
			return this.settleThreshold;
		}

		/**
		 * Sets the compilation time over the settle window below which the JIT counts as
		 * settled.
		 *
		 * @param settleThreshold the compilation time over the settle window below which
		 * the JIT counts as settled
		 */
		public void setSettleThreshold(Duration settleThreshold) {
			this.settleThreshold = settleThreshold;
		}

		/** {@return how many warm-up requests and tasks run at once} */
		public int getConcurrency() {
			return this.concurrency;
		}

		/**
		 * Sets how many warm-up requests and tasks run at once.
		 *
		 * @param concurrency how many warm-up requests and tasks run at once
		 */
		public void setConcurrency(int concurrency) {
			this.concurrency = concurrency;
		}

		/** {@return the warm-up's budget} */
		public Duration getTimeout() {
			return this.timeout;
		}

		/**
		 * Sets the warm-up's budget.
		 *
		 * @param timeout the warm-up's budget
		 */
		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		/** When the warm-up's requests end. */
		public enum Until {

			/** Once the JIT settled, or each path was requested its iterations. */
			JIT_SETTLED,

			/** After exactly the iterations, each path. */
			ITERATIONS

		}

	}

}
