package dev.lifecycle.actuate;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import dev.lifecycle.probes.StartupState;
import dev.lifecycle.shutdown.ShutdownBudget;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownReport;
import dev.lifecycle.warmup.WarmupPhase;
import dev.lifecycle.warmup.WarmupResult;

/**
 * The {@code lifecycle} actuator endpoint: where the application is in its lifecycle, the
 * shutdown budget and where each value came from, and how the shutdown went. Read-only by
 * design: nothing here can start a shutdown, a drain or change availability.
 */
@Endpoint(id = "lifecycle")
public final class LifecycleEndpoint {

	private final ShutdownCoordinator coordinator;

	private final @Nullable StartupState startup;

	private final @Nullable WarmupPhase warmup;

	/**
	 * Creates the endpoint over the state it reports.
	 *
	 * @param coordinator the shutdown sequence and its budget
	 * @param startup the startup state, when the probes are on
	 * @param warmup the warm-up phase, when it is enabled
	 */
	public LifecycleEndpoint(ShutdownCoordinator coordinator, @Nullable StartupState startup,
			@Nullable WarmupPhase warmup) {
		this.coordinator = coordinator;
		this.startup = startup;
		this.warmup = warmup;
	}

	/** {@return where the application is in its lifecycle, the budget, and the shutdown so far} */
	@ReadOperation
	public LifecycleDescriptor lifecycle() {
		ShutdownBudget budget = this.coordinator.budget();
		ShutdownReport progress = this.coordinator.progress();
		return new LifecycleDescriptor(this.coordinator.phase().name(),
				new BudgetDescriptor(value(budget.terminationGracePeriod()), value(budget.delay()),
						(budget.quietPeriod() != null) ? value(budget.quietPeriod()) : null,
						(budget.minDelay() != null) ? value(budget.minDelay()) : null, value(budget.drainTimeout()),
						value(budget.margin())),
				this.coordinator.requests().count(), this.coordinator.tasks().count(),
				this.coordinator.consumers().inProgress(), startup(), warmup(),
				(progress != null) ? shutdown(progress, this.coordinator.lastReport() != null) : null);
	}

	private @Nullable WarmupDescriptor warmup() {
		if (this.warmup == null) {
			return null;
		}
		WarmupResult result = this.warmup.result();
		if (result == null) {
			return new WarmupDescriptor("RUNNING", null, 0, 0, 0, 0, null, null);
		}
		return new WarmupDescriptor(result.outcome().name(), result.duration().toMillis(), result.requests(),
				result.failedRequests(), result.tasks(), result.failedTasks(),
				(result.lastWindowCompilationMillis() >= 0) ? result.lastWindowCompilationMillis() : null,
				result.summary());
	}

	private @Nullable StartupDescriptor startup() {
		if (this.startup == null) {
			return null;
		}
		boolean complete = this.startup.isStarted();
		Duration time = this.startup.startupTime();
		return new StartupDescriptor(complete, (time != null) ? time.toMillis() : null);
	}

	private static ValueDescriptor value(ShutdownBudget.Setting setting) {
		return new ValueDescriptor(setting.formatted(), setting.value().toMillis(), setting.property(), setting.source());
	}

	private static ShutdownDescriptor shutdown(ShutdownReport report, boolean complete) {
		Map<String, String> phases = new LinkedHashMap<>();
		report.phases().forEach((phase, instant) -> phases.put(phase.name(), instant.toString()));
		List<AbandonedDescriptor> abandoned = report.abandoned()
			.stream()
			.map((request) -> new AbandonedDescriptor(request.method(), request.path(), request.age().toMillis()))
			.toList();
		return new ShutdownDescriptor(complete, complete ? report.summary() : null, report.started().toString(), phases,
				report.total().toMillis(), report.budget().toMillis(), report.delay().toMillis(),
				report.delayEnd().name().toLowerCase(Locale.ROOT), report.servedDuringDelay(),
				report.newConnectionsDuringDelay(), report.drain().toMillis(),
				report.drained(), abandoned, report.tasksWait().toMillis(), tasks(report.tasks()),
				report.messagesWait().toMillis(), messages(report.messages()), report.close().toMillis());
	}

	private static MessagesDescriptor messages(ShutdownReport.Messages messages) {
		List<ListenerDescriptor> listeners = messages.listeners()
			.stream()
			.map((listener) -> new ListenerDescriptor(listener.broker(), listener.listener(), listener.finished(),
					listener.redelivered(), listener.stopped()))
			.toList();
		return new MessagesDescriptor(messages.finished(), messages.redelivered(), listeners);
	}

	private static TasksDescriptor tasks(ShutdownReport.Tasks tasks) {
		List<InterruptedDescriptor> interrupted = tasks.interrupted()
			.stream()
			.map((task) -> new InterruptedDescriptor(task.name(), task.executor(), task.age().toMillis(), task.stopped()))
			.toList();
		return new TasksDescriptor(tasks.finished(), tasks.finishedByName(), interrupted, tasks.neverStarted());
	}

	/**
	 * The endpoint's answer.
	 *
	 * @param phase the current phase: SERVING until the context starts closing
	 * @param budget the shutdown budget
	 * @param inFlight requests being served now
	 * @param tasksInProgress scheduled job runs and async tasks in progress now
	 * @param messagesInProgress messages in a Kafka or RabbitMQ listener now
	 * @param startup the startup state, when the probes are on
	 * @param warmup the warm-up, when it is enabled
	 * @param shutdown the shutdown so far, or the last one once complete; absent while
	 * serving
	 */
	public record LifecycleDescriptor(String phase, BudgetDescriptor budget, int inFlight, int tasksInProgress,
			int messagesInProgress, @Nullable StartupDescriptor startup, @Nullable WarmupDescriptor warmup,
			@Nullable ShutdownDescriptor shutdown) {
	}

	/**
	 * The warm-up.
	 *
	 * @param outcome RUNNING, or how it ended: SETTLED, CAP_REACHED, COMPLETED, FAILED,
	 * TIMED_OUT, CANCELLED
	 * @param durationMillis how long it took, once ended
	 * @param requests warm-up requests sent
	 * @param failedRequests of which failed
	 * @param tasks warm-up tasks run
	 * @param failedTasks of which failed
	 * @param lastWindowCompilationMillis JIT compilation time added over the settle window
	 * before the end, when the warm-up waited for the JIT to settle
	 * @param summary the log line, once ended
	 */
	public record WarmupDescriptor(String outcome, @Nullable Long durationMillis, long requests, long failedRequests,
			int tasks, int failedTasks, @Nullable Long lastWindowCompilationMillis, @Nullable String summary) {
	}

	/**
	 * The shutdown budget: each value, and where it came from.
	 *
	 * @param terminationGracePeriod the time between SIGTERM and SIGKILL
	 * @param delay the longest time to keep serving after readiness flips
	 * @param quietPeriod the quiet time that ends the delay early, when set
	 * @param minDelay the earliest the quiet period may end the delay, when it is set
	 * @param drainTimeout the longest wait for in-flight requests
	 * @param margin the time kept for the rest of the context to close
	 */
	public record BudgetDescriptor(ValueDescriptor terminationGracePeriod, ValueDescriptor delay,
			@Nullable ValueDescriptor quietPeriod, @Nullable ValueDescriptor minDelay, ValueDescriptor drainTimeout,
			ValueDescriptor margin) {
	}

	/**
	 * One budget value.
	 *
	 * @param value as it would be written in a property
	 * @param millis the same in milliseconds
	 * @param property the property that sets it
	 * @param source where the value came from
	 */
	public record ValueDescriptor(String value, long millis, String property, String source) {
	}

	/**
	 * The startup state.
	 *
	 * @param complete whether start-up is complete
	 * @param timeMillis time from the JVM's start to start-up being complete, once it is
	 */
	public record StartupDescriptor(boolean complete, @Nullable Long timeMillis) {
	}

	/**
	 * The shutdown so far, or the last one once complete.
	 *
	 * @param complete whether the shutdown is complete
	 * @param summary the log line, once complete
	 * @param started when the context started closing
	 * @param phases when each phase began
	 * @param totalMillis from the start of the close to now, or to the end of the close phase
	 * @param budgetMillis the termination grace period the shutdown has to fit in
	 * @param delayMillis how long the application kept serving after readiness flipped
	 * @param delayEnd why the delay ended, or that it has not yet
	 * @param delayArrivals requests that arrived during the delay
	 * @param delayNewConnections connections accepted during the delay, where the web
	 * server reports them
	 * @param drainMillis how long the drain phase lasted
	 * @param drained requests that completed during the drain
	 * @param abandoned requests still running when the drain timeout ran out
	 * @param tasksWaitMillis how long the sequence waited, after the drain, for scheduled
	 * jobs and async tasks
	 * @param tasks scheduled jobs and async tasks during the shutdown
	 * @param messagesWaitMillis how long the sequence waited, after the tasks, for message
	 * listener containers to stop
	 * @param messages messages in Kafka and RabbitMQ listeners during the shutdown
	 * @param closeMillis how long the rest of the context took to close
	 */
	public record ShutdownDescriptor(boolean complete, @Nullable String summary, String started,
			Map<String, String> phases, long totalMillis, long budgetMillis, long delayMillis, String delayEnd,
			long delayArrivals, @Nullable Long delayNewConnections, long drainMillis, long drained,
			List<AbandonedDescriptor> abandoned, long tasksWaitMillis, TasksDescriptor tasks, long messagesWaitMillis,
			MessagesDescriptor messages, long closeMillis) {
	}

	/**
	 * Messages in Kafka and RabbitMQ listeners during the shutdown.
	 *
	 * @param finished messages listeners finished, and acknowledged or committed, after
	 * shutdown began
	 * @param redelivered messages left unacknowledged or uncommitted for another consumer
	 * @param listeners per listener container, once the deadline passed
	 */
	public record MessagesDescriptor(long finished, long redelivered, List<ListenerDescriptor> listeners) {
	}

	/**
	 * One listener container during the shutdown.
	 *
	 * @param broker {@code kafka} or {@code rabbitmq}
	 * @param listener the container's id
	 * @param finished messages it finished after shutdown began
	 * @param redelivered messages it left for redelivery
	 * @param stopped whether it stopped before the process exited
	 */
	public record ListenerDescriptor(String broker, String listener, long finished, long redelivered,
			boolean stopped) {
	}

	/**
	 * Scheduled jobs and async tasks during the shutdown.
	 *
	 * @param finished runs that ended by themselves after shutdown began
	 * @param finishedByName the same by task name, once the deadline is reached
	 * @param interrupted runs still in progress at the deadline
	 * @param neverStarted tasks still queued at the deadline, by executor
	 */
	public record TasksDescriptor(long finished, Map<String, Long> finishedByName,
			List<InterruptedDescriptor> interrupted, Map<String, Integer> neverStarted) {
	}

	/**
	 * A scheduled job or async task interrupted at the deadline.
	 *
	 * @param name its class and method
	 * @param executor the executor or scheduler bean it ran on
	 * @param ageMillis how long it had been running
	 * @param stopped whether it ended after the interrupt
	 */
	public record InterruptedDescriptor(String name, String executor, long ageMillis, boolean stopped) {
	}

	/**
	 * A request cut at the end of the drain.
	 *
	 * @param method its HTTP method
	 * @param path its path
	 * @param ageMillis how long it had been running
	 */
	public record AbandonedDescriptor(String method, String path, long ageMillis) {
	}

}
