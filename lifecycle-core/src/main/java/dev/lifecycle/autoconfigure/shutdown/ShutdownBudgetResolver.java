package dev.lifecycle.autoconfigure.shutdown;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.cloud.CloudPlatform;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.web.server.Shutdown;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

import dev.lifecycle.autoconfigure.LifecycleProperties;
import dev.lifecycle.autoconfigure.InvalidLifecycleConfigurationException;
import dev.lifecycle.autoconfigure.InvalidLifecycleConfigurationException.Problem;
import dev.lifecycle.shutdown.ShutdownBudget;
import dev.lifecycle.shutdown.ShutdownBudget.Setting;

/**
 * Resolves the shutdown budget from the properties, the platform and Boot's own settings,
 * recording where each value came from, and rejects a budget that cannot hold.
 */
final class ShutdownBudgetResolver {

	static final String GRACE = "lifecycle.termination-grace-period";

	static final String DELAY = "lifecycle.shutdown.delay";

	static final String QUIET_PERIOD = "lifecycle.shutdown.quiet-period";

	static final String MIN_DELAY = "lifecycle.shutdown.min-delay";

	/**
	 * Endpoint removal reaches kube-proxy and ingress controllers in about a second on a
	 * quiet cluster and in several on a busy one: below this, a quiet moment proves nothing.
	 */
	static final Duration DEFAULT_MIN_DELAY = Duration.ofSeconds(3);

	static final String DRAIN_TIMEOUT = "lifecycle.shutdown.drain-timeout";

	static final String MARGIN = "lifecycle.shutdown.margin";

	static final String PHASE_TIMEOUT = "spring.lifecycle.timeout-per-shutdown-phase";

	static final String SERVER_SHUTDOWN = "server.shutdown";

	private static final String SHUTDOWN_CLASS = "org.springframework.boot.web.server.Shutdown";

	/** Boot's waits for its task executor's and scheduler's tasks when the context closes. */
	static final List<String> TASK_AWAIT_PERIODS = List.of("spring.task.execution.shutdown.await-termination-period",
			"spring.task.scheduling.shutdown.await-termination-period");

	static final Duration KUBERNETES_DELAY = Duration.ofSeconds(5);

	private final Environment environment;

	private final List<Problem> problems = new ArrayList<>();

	private ShutdownBudgetResolver(Environment environment) {
		this.environment = environment;
	}

	static ShutdownBudget resolve(LifecycleProperties properties, Environment environment) {
		return new ShutdownBudgetResolver(environment).resolve(properties);
	}

	/** The user's {@code spring.lifecycle.timeout-per-shutdown-phase}, if set. */
	static @Nullable Duration userPhaseTimeout(Environment environment) {
		return Binder.get(environment).bind(PHASE_TIMEOUT, Duration.class).orElse(null);
	}

	private ShutdownBudget resolve(LifecycleProperties properties) {
		LifecycleProperties.Shutdown shutdown = properties.getShutdown();
		Setting grace = configured(GRACE, properties.getTerminationGracePeriod(), "default");
		Setting delay = (shutdown.getDelay() != null) ? configured(DELAY, shutdown.getDelay(), null)
				: onKubernetes() ? new Setting(DELAY, KUBERNETES_DELAY, "default on Kubernetes")
						: new Setting(DELAY, Duration.ZERO, "default outside Kubernetes");
		Setting quietPeriod = (shutdown.getQuietPeriod() != null)
				? configured(QUIET_PERIOD, shutdown.getQuietPeriod(), null) : null;
		Setting minDelay = minDelay(shutdown.getMinDelay(), delay);
		Setting margin = configured(MARGIN, shutdown.getMargin(), "default");
		Duration userPhaseTimeout = userPhaseTimeout(this.environment);
		Setting phaseTimeout = (userPhaseTimeout != null) ? configured(PHASE_TIMEOUT, userPhaseTimeout, null) : null;

		requirePositive(grace, "the pod's terminationGracePeriodSeconds, 30s unless the pod sets it");
		requireNotNegative(delay, "0 to turn the delay off, or the time your load balancers take to stop routing (5s is typical)");
		if (quietPeriod != null) {
			requirePositive(quietPeriod, "a positive duration such as 500ms, or remove it to always wait the full delay");
		}
		requireNotNegative(margin, "a duration such as 2s, the time the rest of your context needs to close");
		if (phaseTimeout != null) {
			requirePositive(phaseTimeout, "a positive duration, or remove it: the starter derives it from the budget");
		}
		Setting drainTimeout = drainTimeout(shutdown.getDrainTimeout(), grace, delay, margin, phaseTimeout);
		if (this.problems.isEmpty()) {
			if (quietPeriod != null) {
				checkQuietPeriod(quietPeriod, delay);
			}
			checkMinDelay(minDelay, delay);
			if (phaseTimeout != null) {
				checkPhaseTimeout(phaseTimeout, grace, delay, margin);
			}
			checkTaskAwaitPeriods(grace, margin);
			if (phaseTimeout == null || shutdown.getDrainTimeout() != null) {
				checkBudget(grace, delay, drainTimeout, margin);
			}
		}
		checkServerShutdown();
		if (!this.problems.isEmpty()) {
			throw new InvalidLifecycleConfigurationException(this.problems);
		}
		return new ShutdownBudget(grace, delay, quietPeriod, (quietPeriod != null) ? minDelay : null, drainTimeout,
				margin);
	}

	private Setting drainTimeout(@Nullable Duration configured, Setting grace, Setting delay, Setting margin,
			@Nullable Setting phaseTimeout) {
		if (configured != null) {
			Setting drainTimeout = configured(DRAIN_TIMEOUT, configured, null);
			requirePositive(drainTimeout,
					"a positive duration, or remove it to use what the grace period leaves after delay and margin");
			return drainTimeout;
		}
		if (phaseTimeout != null) {
			return new Setting(DRAIN_TIMEOUT, phaseTimeout.value(), "from " + PHASE_TIMEOUT);
		}
		Duration left = grace.value().minus(delay.value()).minus(margin.value());
		if (this.problems.isEmpty() && (left.isNegative() || left.isZero())) {
			this.problems.add(new Problem(
					delay + " + " + margin + " leave no time to drain in-flight requests within " + grace + ".",
					"Lower " + DELAY + " or " + MARGIN + ", or raise the pod's terminationGracePeriodSeconds and "
							+ GRACE + " together."));
		}
		return new Setting(DRAIN_TIMEOUT, left, "derived: grace period - delay - margin");
	}

	private void checkBudget(Setting grace, Setting delay, Setting drainTimeout, Setting margin) {
		Duration planned = delay.value().plus(drainTimeout.value()).plus(margin.value());
		if (planned.compareTo(grace.value()) <= 0) {
			return;
		}
		Duration fittingDrain = grace.value().minus(delay.value()).minus(margin.value());
		String lower = (fittingDrain.isNegative() || fittingDrain.isZero())
				? "Lower " + DELAY + " or " + MARGIN
				: "Lower " + DRAIN_TIMEOUT + " to " + Setting.format(fittingDrain) + " or less";
		this.problems.add(new Problem(
				delay + " + " + drainTimeout + " + " + margin + " = " + Setting.format(planned) + " exceeds " + grace
						+ "; Kubernetes would SIGKILL the pod mid-drain.",
				lower + ", or raise the pod's terminationGracePeriodSeconds and " + GRACE + " together."));
	}

	private Setting minDelay(@Nullable Duration configured, Setting delay) {
		if (configured != null) {
			Setting minDelay = configured(MIN_DELAY, configured, null);
			requireNotNegative(minDelay, "0 to let the quiet period end the delay at any time, or the time your load "
					+ "balancers take to stop routing here (3s is typical)");
			return minDelay;
		}
		return (DEFAULT_MIN_DELAY.compareTo(delay.value()) <= 0) ? new Setting(MIN_DELAY, DEFAULT_MIN_DELAY, "default")
				: new Setting(MIN_DELAY, delay.value(), "default, capped by the delay");
	}

	private void checkMinDelay(Setting minDelay, Setting delay) {
		// As for the quiet period: with no delay (outside Kubernetes by default) there is no floor to keep.
		if (!delay.value().isZero() && minDelay.value().compareTo(delay.value()) > 0) {
			this.problems.add(new Problem(minDelay + " exceeds " + delay + ": the delay would end before its floor.",
					"Lower " + MIN_DELAY + " to " + delay.formatted() + " or less, or raise " + DELAY + "."));
		}
	}

	private void checkQuietPeriod(Setting quietPeriod, Setting delay) {
		// With no delay there is nothing to end early; the quiet period is simply unused.
		if (!delay.value().isZero() && quietPeriod.value().compareTo(delay.value()) >= 0) {
			this.problems.add(new Problem(
					quietPeriod + " is not shorter than " + delay + ", so it could never end the delay early.",
					"Lower " + QUIET_PERIOD + " to well under the delay (500ms is typical), or remove it."));
		}
	}

	private void checkPhaseTimeout(Setting phaseTimeout, Setting grace, Setting delay, Setting margin) {
		Duration left = grace.value().minus(delay.value()).minus(margin.value());
		if (phaseTimeout.value().compareTo(left) > 0) {
			this.problems.add(new Problem(
					phaseTimeout + " exceeds the " + Setting.format(left) + " that " + grace + " leaves after " + delay
							+ " and " + margin + "; a shutdown phase could outlast the pod.",
					"Remove " + PHASE_TIMEOUT + " (the starter derives it from the budget), or lower it to "
							+ Setting.format(left) + " or less."));
		}
	}

	/**
	 * Scheduled jobs and async tasks get until the deadline, grace period less margin: a
	 * longer wait asked of Boot's executors could only be cut by Kubernetes.
	 */
	private void checkTaskAwaitPeriods(Setting grace, Setting margin) {
		Duration deadline = grace.value().minus(margin.value());
		for (String property : TASK_AWAIT_PERIODS) {
			Duration configured = Binder.get(this.environment).bind(property, Duration.class).orElse(null);
			if (configured == null) {
				continue;
			}
			Setting awaitPeriod = configured(property, configured, null);
			if (awaitPeriod.value().isNegative()) {
				requireNotNegative(awaitPeriod, "0 or a positive duration, or remove it");
			}
			else if (awaitPeriod.value().compareTo(deadline) > 0) {
				this.problems.add(new Problem(awaitPeriod + " exceeds the " + Setting.format(deadline) + " that " + grace
						+ " leaves after " + margin + "; tasks still running would be waited for until Kubernetes "
						+ "kills the pod.",
						"Lower " + property + " to " + Setting.format(deadline) + " or less, or remove it: the starter "
								+ "waits for running tasks up to that deadline anyway. Or raise the pod's "
								+ "terminationGracePeriodSeconds and " + GRACE + " together."));
			}
		}
	}

	private void checkServerShutdown() {
		// A gRPC-only application has no web server module, and no server.shutdown to check.
		if (!ClassUtils.isPresent(SHUTDOWN_CLASS, ShutdownBudgetResolver.class.getClassLoader())) {
			return;
		}
		Shutdown serverShutdown = Binder.get(this.environment).bind(SERVER_SHUTDOWN, Shutdown.class).orElse(null);
		if (serverShutdown == Shutdown.IMMEDIATE) {
			this.problems.add(new Problem(
					SERVER_SHUTDOWN + "=immediate (" + sourceOf(SERVER_SHUTDOWN)
							+ ") stops the web server without draining in-flight requests, so the starter could not keep them.",
					"Remove " + SERVER_SHUTDOWN + " (graceful is Boot's default), or set lifecycle.enabled=false to keep "
							+ "Boot's immediate shutdown without the starter."));
		}
	}

	private void requirePositive(Setting setting, String fix) {
		if (setting.value().isNegative() || setting.value().isZero()) {
			this.problems.add(new Problem(setting + " must be longer than zero.", "Set " + setting.property() + " to " + fix + "."));
		}
	}

	private void requireNotNegative(Setting setting, String fix) {
		if (setting.value().isNegative()) {
			this.problems.add(new Problem(setting + " cannot be negative.", "Set " + setting.property() + " to " + fix + "."));
		}
	}

	private Setting configured(String property, Duration value, @Nullable String defaultSource) {
		String source = sourceOf(property);
		return new Setting(property, value, (source != null) ? source : (defaultSource != null) ? defaultSource : "set in code");
	}

	private boolean onKubernetes() {
		return CloudPlatform.getActive(this.environment) == CloudPlatform.KUBERNETES;
	}

	/** Where a property is set, as Boot tracks it: a file and line, an environment variable. */
	private @Nullable String sourceOf(String property) {
		ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
			ConfigurationProperty configured = source.getConfigurationProperty(name);
			if (configured != null) {
				Origin origin = configured.getOrigin();
				if (origin instanceof PropertySourceOrigin propertySourceOrigin) {
					if (propertySourceOrigin.getOrigin() != null) {
						return "from " + propertySourceOrigin.getOrigin();
					}
					return "from property source \"" + propertySourceOrigin.getPropertySource().getName() + "\"";
				}
				return "from " + ((origin != null) ? origin : source.getUnderlyingSource());
			}
		}
		return null;
	}

}
