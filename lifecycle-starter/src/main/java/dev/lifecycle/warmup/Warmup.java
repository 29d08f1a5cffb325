package dev.lifecycle.warmup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the warm-up: real requests to the application's own paths and the user's
 * {@link WarmupTask}s, on a small pool, within a time budget. It never fails: whatever
 * happens, it ends with a result and the application becomes ready.
 */
public final class Warmup {

	private static final Logger logger = LoggerFactory.getLogger(Warmup.class);

	private final List<String> paths;

	private final int iterations;

	private final int concurrency;

	private final Duration timeout;

	private final Map<String, WarmupTask> tasks;

	private final WarmupRequests requests;

	private volatile boolean cancelled;

	private volatile ExecutorService executor;

	/**
	 * @param paths paths of the application itself to request
	 * @param iterations how many times each path is requested
	 * @param concurrency requests and tasks run at once
	 * @param timeout the budget of the whole warm-up
	 * @param tasks the user's warm-up tasks by bean name
	 * @param requests sends one warm-up request
	 */
	public Warmup(List<String> paths, int iterations, int concurrency, Duration timeout, Map<String, WarmupTask> tasks,
			WarmupRequests requests) {
		this.paths = List.copyOf(paths);
		this.iterations = iterations;
		this.concurrency = concurrency;
		this.timeout = timeout;
		this.tasks = Map.copyOf(tasks);
		this.requests = requests;
	}

	/** Runs the warm-up on the calling thread and returns how it went. */
	public WarmupResult run() {
		long start = System.nanoTime();
		AtomicLong sent = new AtomicLong();
		AtomicLong failed = new AtomicLong();
		AtomicInteger failedTasks = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(this.concurrency, (runnable) -> {
			Thread thread = new Thread(runnable, "lifecycle-warmup");
			thread.setDaemon(true);
			return thread;
		});
		this.executor = pool;
		List<Future<?>> work = new ArrayList<>();
		this.tasks.forEach((name, task) -> work.add(pool.submit(() -> runTask(name, task, failedTasks))));
		for (int i = 0; i < this.iterations; i++) {
			for (String path : this.paths) {
				work.add(pool.submit(() -> send(path, sent, failed)));
			}
		}
		pool.shutdown();
		WarmupResult.Outcome outcome = await(pool, start);
		WarmupResult result = new WarmupResult(outcome, Duration.ofNanos(System.nanoTime() - start), sent.get(),
				failed.get(), this.tasks.size(), failedTasks.get());
		if (result.clean()) {
			logger.atInfo().addKeyValue("lifecycle.warmup.requests", result.requests()).log(result.summary());
		}
		else {
			logger.atWarn().addKeyValue("lifecycle.warmup.requests", result.requests()).log(result.summary());
		}
		return result;
	}

	/** Stops the warm-up at once: the application is shutting down. */
	public void cancel() {
		this.cancelled = true;
		ExecutorService pool = this.executor;
		if (pool != null) {
			pool.shutdownNow();
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
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			pool.shutdownNow();
			return WarmupResult.Outcome.CANCELLED;
		}
		return this.cancelled ? WarmupResult.Outcome.CANCELLED : WarmupResult.Outcome.COMPLETED;
	}

	private void send(String path, AtomicLong sent, AtomicLong failed) {
		if (this.cancelled || Thread.currentThread().isInterrupted()) {
			return;
		}
		sent.incrementAndGet();
		try {
			if (!this.requests.send(path)) {
				failed.incrementAndGet();
			}
		}
		catch (Exception ex) {
			failed.incrementAndGet();
			logger.debug("Warm-up request to {} failed", path, ex);
		}
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
		 * @param path the path to request
		 * @return whether the response was 2xx
		 * @throws Exception when the request could not be made
		 */
		boolean send(String path) throws Exception;

	}

}
