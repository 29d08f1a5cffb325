package dev.lifecycle.probes;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * DOWN when threads of this JVM are deadlocked: a fault that only a restart fixes, so it
 * belongs in liveness.
 */
public final class DeadlockedThreadsHealthIndicator implements HealthIndicator {

	private final ThreadMXBean threads;

	/** Creates the indicator over the JVM's thread MXBean. */
	public DeadlockedThreadsHealthIndicator() {
		this(ManagementFactory.getThreadMXBean());
	}

	DeadlockedThreadsHealthIndicator(ThreadMXBean threads) {
		this.threads = threads;
	}

	@Override
	public Health health() {
		long[] deadlocked = this.threads.isSynchronizerUsageSupported() ? this.threads.findDeadlockedThreads()
				: this.threads.findMonitorDeadlockedThreads();
		if (deadlocked == null) {
			return Health.up().build();
		}
		List<String> names = Arrays.stream(this.threads.getThreadInfo(deadlocked))
			.filter(Objects::nonNull)
			.map(ThreadInfo::getThreadName)
			.toList();
		return Health.down().withDetail("deadlockedThreads", names).build();
	}

}
