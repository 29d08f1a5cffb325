package dev.lifecycle.warmup;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * Tells when the JIT has settled: the JVM's total compilation time grew by less than a
 * threshold over the last window. Ask it regularly while the warm-up sends requests; each
 * question is a sample, and it answers {@code true} only once a whole window of samples
 * lies behind it.
 */
public final class JitSettleRule {

	private final long windowNanos;

	private final long thresholdMillis;

	private final LongSupplier compilationMillis;

	private final LongSupplier nanoTime;

	// Oldest first; the first one is the newest sample at least a window old, once there is one.
	private final Deque<Sample> samples = new ArrayDeque<>();

	private long lastGrowthMillis = -1;

	/**
	 * Creates the rule over any clock, such as a fake one in tests.
	 *
	 * @param window how far back to look
	 * @param threshold the compilation time, added over the window, below which the JIT
	 * counts as settled
	 * @param compilationMillis the JVM's total compilation time so far, in milliseconds
	 * @param nanoTime a monotonic clock in nanoseconds, such as {@link System#nanoTime()}
	 */
	public JitSettleRule(Duration window, Duration threshold, LongSupplier compilationMillis, LongSupplier nanoTime) {
		this.windowNanos = window.toNanos();
		this.thresholdMillis = threshold.toMillis();
		this.compilationMillis = compilationMillis;
		this.nanoTime = nanoTime;
	}

	/**
	 * Creates the rule over this JVM's {@link CompilationMXBean}.
	 *
	 * @param window how far back to look
	 * @param threshold the compilation time, added over the window, below which the JIT
	 * counts as settled
	 * @return the rule, or {@code null} when this JVM has no JIT compiler or does not
	 * report its compilation time (then nothing can tell that the JIT settled)
	 */
	public static @Nullable JitSettleRule ofThisJvm(Duration window, Duration threshold) {
		CompilationMXBean compilation = ManagementFactory.getCompilationMXBean();
		if (compilation == null || !compilation.isCompilationTimeMonitoringSupported()) {
			return null;
		}
		return new JitSettleRule(window, threshold, compilation::getTotalCompilationTime, System::nanoTime);
	}

	/**
	 * Takes a sample and tells whether the JIT has settled.
	 *
	 * @return whether the compilation time grew by less than the threshold over the last
	 * window; {@code false} until a window has passed since the first sample
	 */
	public synchronized boolean isSettled() {
		Sample now = new Sample(this.nanoTime.getAsLong(), this.compilationMillis.getAsLong());
		this.samples.addLast(now);
		while (this.samples.size() > 2 && isWindowOld(secondOldest(), now)) {
			this.samples.removeFirst();
		}
		Sample baseline = this.samples.getFirst();
		if (baseline == now || !isWindowOld(baseline, now)) {
			return false;
		}
		this.lastGrowthMillis = now.compilationMillis - baseline.compilationMillis;
		return this.lastGrowthMillis < this.thresholdMillis;
	}

	/** {@return the compilation time added over the last full window, or -1 before one passed} */
	public synchronized long lastGrowthMillis() {
		return this.lastGrowthMillis;
	}

	private Sample secondOldest() {
		return this.samples.stream().skip(1).findFirst().orElseThrow();
	}

	private boolean isWindowOld(Sample sample, Sample now) {
		return now.nanos - sample.nanos >= this.windowNanos;
	}

	private record Sample(long nanos, long compilationMillis) {
	}

}
