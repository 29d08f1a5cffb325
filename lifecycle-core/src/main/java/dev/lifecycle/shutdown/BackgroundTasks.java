package dev.lifecycle.shutdown;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.concurrent.ExecutorConfigurationSupport;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.config.ScheduledTask;
import org.springframework.scheduling.config.ScheduledTaskHolder;
import org.springframework.scheduling.config.TaskExecutionOutcome;

import dev.lifecycle.shutdown.ShutdownReport.InterruptedTask;
import dev.lifecycle.shutdown.ShutdownReport.Tasks;

/**
 * Scheduled jobs and async tasks, as the shutdown sequence sees them. Every run on an
 * executor or scheduler bean passes through {@link #decorator}, so the runs in progress
 * are known with their thread and age; the application's scheduled jobs
 * ({@code @Scheduled}, {@code SchedulingConfigurer}) are read from Spring's
 * {@link ScheduledTaskHolder}s.
 * <p>
 * When shutdown begins, scheduled jobs stop being triggered and what runs keeps running.
 * Once the web drain is over, {@link #await} waits for the runs still in progress and the
 * tasks still queued, up to the deadline, then interrupts what is left and reports it.
 */
public final class BackgroundTasks {

	private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

	private final Set<Run> running = ConcurrentHashMap.newKeySet();

	private final Map<String, Object> executors = new ConcurrentHashMap<>();

	private final Supplier<Stream<ScheduledTaskHolder>> scheduledJobs;

	private volatile List<ScheduledTaskHolder> jobHolders = List.of();

	/** Jobs in progress when shutdown began that no decorator sees: counted when they end. */
	private volatile List<Job> untrackedAtStart = List.of();

	private final Map<String, LongAdder> finished = new ConcurrentHashMap<>();

	private final LongAdder finishedCount = new LongAdder();

	private volatile boolean shuttingDown;

	/**
	 * Creates the record of background work.
	 *
	 * @param scheduledJobs the holders of the application's scheduled jobs, looked up once,
	 * when shutdown begins
	 */
	public BackgroundTasks(Supplier<Stream<ScheduledTaskHolder>> scheduledJobs) {
		this.scheduledJobs = scheduledJobs;
	}

	/** {@return a record with no scheduled jobs: runs are seen only through decorators} */
	public static BackgroundTasks withoutScheduledJobs() {
		return new BackgroundTasks(Stream::empty);
	}

	/**
	 * Returns the decorator that records each run of an executor's tasks, around the one
	 * the executor already had.
	 *
	 * @param executorName the executor's bean name, reported with its tasks
	 * @param executor the executor, {@link ExecutorConfigurationSupport} or
	 * {@link SimpleAsyncTaskExecutor}, whose own wait at close is shortened once the
	 * starter has waited and interrupted
	 * @param existing the executor's own decorator, applied inside ours
	 * @return the decorator to set on the executor
	 */
	public TaskDecorator decorator(String executorName, Object executor, @Nullable TaskDecorator existing) {
		this.executors.put(executorName, executor);
		return (task) -> {
			Runnable decorated = (existing != null) ? existing.decorate(task) : task;
			return () -> run(executorName, decorated);
		};
	}

	private void run(String executor, Runnable task) {
		Run run = new Run(executor, Thread.currentThread(), System.nanoTime());
		this.running.add(run);
		try {
			task.run();
		}
		finally {
			this.running.remove(run);
			if (this.shuttingDown && !run.interrupted) {
				this.finishedCount.increment();
				this.finished.computeIfAbsent(run.nameOrExecutor(), (name) -> new LongAdder()).increment();
			}
		}
	}

	/** {@return the runs in progress now} */
	public int count() {
		return this.running.size();
	}

	/** {@return the runs that ended normally since shutdown began} */
	public long finished() {
		return this.finishedCount.sum();
	}

	/**
	 * Shutdown began: no scheduled job is triggered again; runs in progress go on. Names
	 * the runs in progress while their stacks still tell what they are.
	 */
	void shutdownBegan() {
		this.shuttingDown = true;
		this.jobHolders = this.scheduledJobs.get().toList();
		scheduledTasks().forEach((task) -> task.cancel(false));
		this.running.forEach(this::name);
		this.untrackedAtStart = untrackedRunningJobs(List.copyOf(this.running));
	}

	/**
	 * Waits for the runs in progress and the queued tasks until the deadline, then
	 * interrupts the runs left and waits a little for them to stop.
	 *
	 * @param deadlineNanos {@link System#nanoTime()} by which background work must be done
	 * @param interruptGrace how long interrupted runs get to stop before they are reported
	 * as ignoring the interrupt
	 * @return what finished, what was interrupted and what never started
	 * @throws InterruptedException if the closing thread is interrupted while it waits
	 */
	Tasks await(long deadlineNanos, Duration interruptGrace) throws InterruptedException {
		this.running.forEach(this::name);
		while (busy() && deadlineNanos - System.nanoTime() > 0) {
			TimeUnit.NANOSECONDS.sleep(Math.min(POLL_NANOS, deadlineNanos - System.nanoTime()));
			this.running.forEach(this::name);
		}
		List<Run> cut = new ArrayList<>(this.running);
		List<Job> cutJobs = untrackedRunningJobs(cut);
		Map<String, Integer> neverStarted = dropQueued();
		long interruptedAt = System.nanoTime();
		for (Run run : cut) {
			run.interrupted = true;
			run.thread.interrupt();
		}
		cutJobs.forEach((job) -> job.task.cancel(true));
		long graceEnd = interruptedAt + interruptGrace.toNanos();
		while ((cut.stream().anyMatch(this.running::contains) || cutJobs.stream().anyMatch(Job::isRunning))
				&& graceEnd - System.nanoTime() > 0) {
			TimeUnit.NANOSECONDS.sleep(Math.min(POLL_NANOS, graceEnd - System.nanoTime()));
		}
		List<InterruptedTask> interrupted = new ArrayList<>();
		for (Run run : cut) {
			boolean stopped = !this.running.contains(run);
			interrupted.add(new InterruptedTask(run.nameOrExecutor(), run.executor,
					Duration.ofNanos(interruptedAt - run.startNanos), stopped));
			if (!stopped) {
				stopWaitingAtClose(run.executor);
			}
		}
		for (Job job : cutJobs) {
			interrupted.add(new InterruptedTask(job.name, "scheduled job", Duration.between(job.started, Instant.now()),
					!job.isRunning()));
		}
		interrupted.sort(Comparator.comparing(InterruptedTask::age).reversed());
		for (Job job : this.untrackedAtStart) {
			if (!cutJobs.contains(job) && !job.isRunning()) {
				this.finishedCount.increment();
				this.finished.computeIfAbsent(job.name, (name) -> new LongAdder()).increment();
			}
		}
		Map<String, Long> finishedByName = new LinkedHashMap<>();
		this.finished.entrySet()
			.stream()
			.sorted(Map.Entry.comparingByKey())
			.forEach((entry) -> finishedByName.put(entry.getKey(), entry.getValue().sum()));
		return new Tasks(finished(), finishedByName, List.copyOf(interrupted), neverStarted);
	}

	private boolean busy() {
		return !this.running.isEmpty() || !untrackedRunningJobs(List.copyOf(this.running)).isEmpty()
				|| queuedTasks().anyMatch((queue) -> queue.getValue() > 0);
	}

	/**
	 * Scheduled jobs that run where no decorator sees them (a
	 * {@code SimpleAsyncTaskScheduler}'s fixed-delay jobs run on its own thread): started,
	 * and not the job of any run in progress.
	 */
	private List<Job> untrackedRunningJobs(List<Run> runs) {
		List<Job> jobs = new ArrayList<>();
		for (ScheduledTask task : scheduledTasks().toList()) {
			TaskExecutionOutcome outcome = task.getTask().getLastExecutionOutcome();
			Instant started = outcome.executionTime();
			if (outcome.status() == TaskExecutionOutcome.Status.STARTED && started != null) {
				String name = TaskNames.ofScheduledTask(task.getTask().toString());
				if (runs.stream().noneMatch((run) -> name.equals(run.name))) {
					jobs.add(new Job(name, task, started));
				}
			}
		}
		return jobs;
	}

	private Stream<ScheduledTask> scheduledTasks() {
		return this.jobHolders.stream().flatMap((holder) -> holder.getScheduledTasks().stream());
	}

	private Stream<Map.Entry<String, Integer>> queuedTasks() {
		return this.executors.entrySet().stream().flatMap((entry) -> {
			ThreadPoolExecutor pool = threadPool(entry.getValue());
			return (pool != null) ? Stream.of(Map.entry(entry.getKey(), pool.getQueue().size())) : Stream.empty();
		});
	}

	/** Takes the tasks still queued at the deadline off their queues: they never start. */
	private Map<String, Integer> dropQueued() {
		Map<String, Integer> dropped = new LinkedHashMap<>();
		this.executors.forEach((name, executor) -> {
			ThreadPoolExecutor pool = threadPool(executor);
			if (pool != null) {
				List<Runnable> drained = new ArrayList<>();
				pool.getQueue().drainTo(drained);
				if (!drained.isEmpty()) {
					dropped.put(name, drained.size());
				}
			}
		});
		return dropped;
	}

	private static @Nullable ThreadPoolExecutor threadPool(Object executor) {
		if (executor instanceof ThreadPoolTaskExecutor pool) {
			try {
				return pool.getThreadPoolExecutor();
			}
			catch (IllegalStateException ex) {
				return null; // not initialized
			}
		}
		return null;
	}

	/**
	 * Names a run from its thread's stack: the outermost frame of application code, the
	 * job's or task's own method. Kept only if the run was in progress before and after the
	 * stack was taken, so that the stack was the run's.
	 */
	private void name(Run run) {
		if (run.name == null && this.running.contains(run)) {
			String entryPoint = TaskNames.entryPoint(run.thread.getStackTrace());
			if (entryPoint != null && this.running.contains(run)) {
				run.name = entryPoint;
			}
		}
	}

	/**
	 * A run ignored the interrupt: its executor's own wait when the context closes would
	 * only wait for it, past the budget.
	 */
	private void stopWaitingAtClose(String executorName) {
		Object executor = this.executors.get(executorName);
		if (executor instanceof ExecutorConfigurationSupport support) {
			support.setAwaitTerminationMillis(0);
		}
		else if (executor instanceof SimpleAsyncTaskExecutor simple) {
			simple.setTaskTerminationTimeout(0);
		}
	}

	/** One run of a task on a decorated executor. */
	private static final class Run {

		private final String executor;

		private final Thread thread;

		private final long startNanos;

		private volatile @Nullable String name;

		private volatile boolean interrupted;

		Run(String executor, Thread thread, long startNanos) {
			this.executor = executor;
			this.thread = thread;
			this.startNanos = startNanos;
		}

		String nameOrExecutor() {
			String resolved = this.name;
			return (resolved != null) ? resolved : "task on " + this.executor;
		}

	}

	/** A scheduled job in progress that no decorator sees. */
	private record Job(String name, ScheduledTask task, Instant started) {

		/** Still the run that was seen: started at the same instant and not ended. */
		boolean isRunning() {
			TaskExecutionOutcome outcome = this.task.getTask().getLastExecutionOutcome();
			return outcome.status() == TaskExecutionOutcome.Status.STARTED
					&& this.started.equals(outcome.executionTime());
		}

	}

}
