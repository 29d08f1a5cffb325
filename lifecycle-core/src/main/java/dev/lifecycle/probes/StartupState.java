package dev.lifecycle.probes;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/**
 * The startup state Boot does not have: DOWN from the start until the application is
 * ready (after every runner) and every {@link StartupCheck} is complete, then UP for good.
 */
public final class StartupState implements HealthCheck, ApplicationListener<ApplicationReadyEvent> {

	private static final Log logger = LogFactory.getLog(StartupState.class);

	private final Map<String, StartupCheck> checks;

	private final Set<String> completed = ConcurrentHashMap.newKeySet();

	private volatile boolean applicationReady;

	private volatile boolean started;

	private volatile @Nullable Duration startupTime;

	/**
	 * Creates the indicator over the user's startup checks.
	 *
	 * @param checks the user's startup checks by bean name
	 */
	public StartupState(Map<String, StartupCheck> checks) {
		this.checks = Map.copyOf(checks);
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		this.applicationReady = true;
		isStarted();
	}

	/** {@return whether start-up is complete} Once true, it stays true. */
	public boolean isStarted() {
		return this.started || (this.applicationReady && pending().isEmpty());
	}

	/**
	 * {@return the time from the JVM's start to start-up being found complete, or
	 * {@code null} until then} It is found complete at {@code ApplicationReadyEvent}, or,
	 * while startup checks are pending, at the first startup probe (or read of
	 * {@link #pendingChecks()}) that finds them complete.
	 */
	public @Nullable Duration startupTime() {
		return this.startupTime;
	}

	/**
	 * {@return the startup checks not complete yet; zero once start-up is complete} Once the
	 * application is ready, it asks the pending checks, as the startup probe does, so it does
	 * not depend on a probe being configured.
	 */
	public int pendingChecks() {
		if (this.started) {
			return 0;
		}
		// Before the application is ready, asking would end start-up too early.
		return this.applicationReady ? pending().size() : this.checks.size() - this.completed.size();
	}

	/** {@return whether users hold start-up with checks of their own} */
	public boolean hasChecks() {
		return !this.checks.isEmpty();
	}

	@Override
	public HealthState check() {
		if (this.started) {
			return HealthState.up();
		}
		if (!this.applicationReady) {
			return HealthState.down("waitingFor", "application ready");
		}
		List<String> pending = pending();
		return pending.isEmpty() ? HealthState.up() : HealthState.down("waitingFor", pending);
	}

	/** The checks not complete yet; when none is left, start-up is over for good. */
	private List<String> pending() {
		List<String> pending = this.checks.entrySet()
			.stream()
			.filter((check) -> !this.completed.contains(check.getKey()))
			.filter((check) -> !complete(check.getKey(), check.getValue()))
			.map(Map.Entry::getKey)
			.sorted()
			.toList();
		if (pending.isEmpty() && !this.started) {
			this.startupTime = Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime());
			this.started = true;
		}
		return pending;
	}

	private boolean complete(String name, StartupCheck check) {
		try {
			if (check.isComplete()) {
				this.completed.add(name);
				return true;
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Startup check '" + name + "' failed; start-up stays pending", ex);
		}
		return false;
	}

}
