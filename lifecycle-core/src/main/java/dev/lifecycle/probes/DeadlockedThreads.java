package dev.lifecycle.probes;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * DOWN when threads of this JVM are deadlocked: a fault that only a restart fixes, so it
 * belongs in liveness.
 */
public final class DeadlockedThreads implements HealthCheck {

	private final ThreadMXBean threads;

	/** Creates the indicator over the JVM's thread MXBean. */
	public DeadlockedThreads() {
		this(ManagementFactory.getThreadMXBean());
	}

	DeadlockedThreads(ThreadMXBean threads) {
		this.threads = threads;
	}

	@Override
	public HealthState check() {
		long[] deadlocked = this.threads.isSynchronizerUsageSupported() ? this.threads.findDeadlockedThreads()
				: this.threads.findMonitorDeadlockedThreads();
		if (deadlocked == null) {
			return HealthState.up();
		}
		List<String> names = Arrays.stream(this.threads.getThreadInfo(deadlocked))
			.filter(Objects::nonNull)
			.map(ThreadInfo::getThreadName)
			.toList();
		return HealthState.down("deadlockedThreads", names);
	}

}
