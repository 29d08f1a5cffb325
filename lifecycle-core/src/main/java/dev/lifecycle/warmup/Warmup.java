package dev.lifecycle.warmup;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Runs the warm-up: real requests to the application's own paths and the user's
 * {@link WarmupTask}s, on a small pool, within a time budget. Requests go on until the JIT
 * settled (with a {@link JitSettleRule}) or each path was requested {@code iterations}
 * times, whichever comes first. A path that fails {@value #FAILURES_TO_DROP_A_PATH} times
 * in a row is dropped. It never fails: whatever happens, it ends with a result and the
 * application becomes ready.
 */
public final class Warmup {

	/** Failures in a row after which a path is no longer requested: it would not warm anything. */
	static final int FAILURES_TO_DROP_A_PATH = 10;

	private static final Logger logger = LoggerFactory.getLogger(Warmup.class);

	private final List<String> paths;

	private final int iterations;

	private final int concurrency;

	private final Duration timeout;

	private final Map<String, WarmupTask> tasks;

	private final WarmupRequests requests;

	private final @Nullable JitSettleRule settleRule;

	// Per path: failures since its last success, or -1 once dropped.
	private final AtomicIntegerArray failuresInARow;

	private final AtomicLong sent = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private volatile boolean cancelled;

	private volatile boolean settled;

	private volatile boolean running;

	private volatile long startNanos;

	private volatile ExecutorService executor;

	/**
	 * Creates the warm-up.
	 *
	 * @param paths paths of the application itself to request
	 * @param iterations how many times each path is requested: at most, with a settle
	 * rule; exactly, without one
	 * @param settleRule ends the requests once the JIT settled; {@code null} for a fixed
	 * number of iterations
	 * @param concurrency requests and tasks run at once
	 * @param timeout the budget of the whole warm-up
	 * @param tasks the user's warm-up tasks by bean name
	 * @param requests sends one warm-up request
	 */
	public Warmup(List<String> paths, int iterations, @Nullable JitSettleRule settleRule, int concurrency,
			Duration timeout, Map<String, WarmupTask> tasks, WarmupRequests requests) {
		this.paths = List.copyOf(paths);
		this.iterations = iterations;
		this.settleRule = settleRule;
		this.failuresInARow = new AtomicIntegerArray(this.paths.size());
		this.concurrency = concurrency;
		this.timeout = timeout;
		this.tasks = Map.copyOf(tasks);
		this.requests = requests;
	}

	/**
	 * Runs the warm-up on the calling thread.
	 *
	 * @return how it went
	 */
	public WarmupResult run() {
		long start = System.nanoTime();
		this.startNanos = start;
		this.running = true;
		AtomicInteger failedTasks = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(this.concurrency, (runnable) -> {
			Thread thread = new Thread(runnable, "lifecycle-warmup");
			thread.setDaemon(true);
			return thread;
		});
		this.executor = pool;
		// Workers take the tasks first, then requests by number: nothing is queued up front.
		Queue<Map.Entry<String, WarmupTask>> pendingTasks = new ConcurrentLinkedQueue<>(this.tasks.entrySet());
		AtomicLong nextRequest = new AtomicLong();
		long totalRequests = (long) this.iterations * this.paths.size();
		for (int i = 0; i < this.concurrency; i++) {
			pool.execute(() -> {
				for (Map.Entry<String, WarmupTask> task = pendingTasks.poll(); task != null && !stopped(); task = pendingTasks
					.poll()) {
					runTask(task.getKey(), task.getValue(), failedTasks);
				}
				for (long request = nextRequest.getAndIncrement(); request < totalRequests && !stopped()
						&& !this.settled && !everyPathDropped(); request = nextRequest.getAndIncrement()) {
					send((int) (request % this.paths.size()));
				}
			});
		}
		pool.shutdown();
		WarmupResult.Outcome outcome = await(pool, start);
		this.running = false;
		WarmupResult result = new WarmupResult(outcome, Duration.ofNanos(System.nanoTime() - start), this.sent.get(),
				this.failed.get(), this.tasks.size(), failedTasks.get(),
				(this.settleRule != null) ? this.settleRule.lastGrowthMillis() : -1);
		if (outcome == WarmupResult.Outcome.CANCELLED) {
			// Already said by cancel(), on the closing thread, while logging still works.
			return result;
		}
		LoggingEventBuilder event = result.clean() ? logger.atInfo() : logger.atWarn();
		event.addKeyValue("lifecycle.warmup.outcome", outcome.name().toLowerCase(Locale.ROOT))
			.addKeyValue("lifecycle.warmup.duration_ms", result.duration().toMillis())
			.addKeyValue("lifecycle.warmup.requests", result.requests())
			.addKeyValue("lifecycle.warmup.failed_requests", result.failedRequests())
			.log(result.summary());
		return result;
	}

	/** Stops the warm-up at once: the application is shutting down. */
	public void cancel() {
		this.cancelled = true;
		ExecutorService pool = this.executor;
		if (pool != null) {
			pool.shutdownNow();
		}
		if (this.running) {
			logger.info("Warm-up cancelled after {} ms by shutdown: {} requests sent; start-up never completed",
					Duration.ofNanos(System.nanoTime() - this.startNanos).toMillis(), this.sent.get());
		}
	}

	private WarmupResult.Outcome await(ExecutorService pool, long start) {
		long deadline = start + this.timeout.toNanos();
		try {
			while (!pool.awaitTermination(50, TimeUnit.MILLISECONDS)) {
				if (this.cancelled) {
					return WarmupResult.Outcome.CANCELLED;
				}
				if (System.nanoTime() >= deadline) {
					pool.shutdownNow();
					return WarmupResult.Outcome.TIMED_OUT;
				}
				// The JIT's quiet moments before the first request say nothing about the requests.
				if (this.settleRule != null && !this.settled && this.sent.get() > 0 && this.settleRule.isSettled()) {
					this.settled = true;
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			pool.shutdownNow();
			return WarmupResult.Outcome.CANCELLED;
		}
		if (this.cancelled) {
			return WarmupResult.Outcome.CANCELLED;
		}
		if (this.settled) {
			return WarmupResult.Outcome.SETTLED;
		}
		if (!this.paths.isEmpty() && everyPathDropped()) {
			return WarmupResult.Outcome.FAILED;
		}
		return (this.settleRule != null && !this.paths.isEmpty()) ? WarmupResult.Outcome.CAP_REACHED
				: WarmupResult.Outcome.COMPLETED;
	}

	private boolean stopped() {
		return this.cancelled || Thread.currentThread().isInterrupted();
	}

	private boolean everyPathDropped() {
		for (int i = 0; i < this.failuresInARow.length(); i++) {
			if (this.failuresInARow.get(i) >= 0) {
				return false;
			}
		}
		return true;
	}

	private void send(int pathIndex) {
		if (this.failuresInARow.get(pathIndex) < 0) {
			return;
		}
		String path = this.paths.get(pathIndex);
		this.sent.incrementAndGet();
		boolean ok = false;
		try {
			ok = this.requests.send(path);
		}
		catch (Exception ex) {
			logger.debug("Warm-up request to {} failed", path, ex);
		}
		if (ok) {
			this.failuresInARow.accumulateAndGet(pathIndex, 0, (failures, zero) -> (failures < 0) ? failures : zero);
			return;
		}
		this.failed.incrementAndGet();
		int before = this.failuresInARow.getAndAccumulate(pathIndex, 1, Warmup::oneMoreFailure);
		if (before == FAILURES_TO_DROP_A_PATH - 1) {
			logger.warn("Warm-up request to {} failed {} times in a row; no longer requesting it", path,
					FAILURES_TO_DROP_A_PATH);
		}
	}

	private static int oneMoreFailure(int failures, int one) {
		if (failures < 0) {
			return failures;
		}
		return (failures + one >= FAILURES_TO_DROP_A_PATH) ? -1 : failures + one;
	}

	private void runTask(String name, WarmupTask task, AtomicInteger failedTasks) {
		try {
			task.warmUp();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			failedTasks.incrementAndGet();
		}
		catch (Exception ex) {
			failedTasks.incrementAndGet();
			logger.warn("Warm-up task '{}' failed; the application becomes ready anyway", name, ex);
		}
	}

	/** Sends one warm-up request; the web stack adapter knows the port and the client. */
	@FunctionalInterface
	public interface WarmupRequests {

		/**
		 * Sends one warm-up request.
		 *
		 * @param path the path to request
		 * @return whether the response was 2xx
		 * @throws Exception when the request could not be made
		 */
		boolean send(String path) throws Exception;

	}

}
