package dev.lifecycle.metrics;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

import dev.lifecycle.probes.StartupState;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownPhase;
import dev.lifecycle.shutdown.ShutdownReport.DelayEnd;
import dev.lifecycle.shutdown.ShutdownReport.Tasks;
import dev.lifecycle.warmup.WarmupPhase;
import dev.lifecycle.warmup.WarmupResult;

/**
 * Meters under {@code lifecycle.*}. All are read from the coordinator when the registry
 * asks, so the request path pays nothing for them, and a push registry's last publish at
 * close still sees the drain's counts.
 */
public final class LifecycleMetrics implements MeterBinder {

	private static final ShutdownPhase[] TIMED_PHASES = { ShutdownPhase.REFUSE, ShutdownPhase.DELAY,
			ShutdownPhase.DRAIN, ShutdownPhase.TASKS, ShutdownPhase.MESSAGES, ShutdownPhase.CLOSE };

	// Every way a delay ends; PENDING is the absence of an end.
	private static final DelayEnd[] DELAY_ENDS = Arrays.stream(DelayEnd.values())
		.filter((end) -> end != DelayEnd.PENDING)
		.toArray(DelayEnd[]::new);

	private final ShutdownCoordinator coordinator;

	private final @Nullable StartupState startup;

	private final @Nullable WarmupPhase warmup;

	/**
	 * Creates the binder over the state it publishes.
	 *
	 * @param coordinator the shutdown sequence, its phase and its counts
	 * @param startup the startup state, when the probes are on; its time is published only
	 * when startup checks hold it, since Boot's {@code application.ready.time} already
	 * tells it otherwise
	 * @param warmup the warm-up phase, when it is enabled
	 */
	public LifecycleMetrics(ShutdownCoordinator coordinator, @Nullable StartupState startup,
			@Nullable WarmupPhase warmup) {
		this.coordinator = coordinator;
		this.startup = startup;
		this.warmup = warmup;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("lifecycle.requests.inflight", this.coordinator.requests(), (requests) -> requests.count())
			.description("Requests being served now (probes and actuator excluded)")
			.baseUnit("requests")
			.register(registry);
		for (ShutdownPhase phase : TIMED_PHASES) {
			timeGauge("lifecycle.shutdown.phase.duration", (coordinator) -> coordinator.phaseDuration(phase))
				.description("How long a shutdown phase lasted, or has lasted so far")
				.tag("phase", tagValue(phase))
				.register(registry);
		}
		timeGauge("lifecycle.shutdown.duration", ShutdownCoordinator::elapsed)
			.description("Time since the shutdown began, up to its completion")
			.register(registry);
		timeGauge("lifecycle.shutdown.budget", (coordinator) -> coordinator.budget().terminationGracePeriod().value())
			.description("The termination grace period the shutdown must fit in")
			.register(registry);
		for (DelayEnd end : DELAY_ENDS) {
			Gauge.builder("lifecycle.shutdown.delay.end", this.coordinator,
					(coordinator) -> (coordinator.delayEnd() == end) ? 1 : 0)
				.description("1 for the reason the delay ended, 0 for the others and while it has not ended")
				.tag("reason", tagValue(end))
				.register(registry);
		}
		FunctionCounter.builder("lifecycle.shutdown.requests", this.coordinator, ShutdownCoordinator::drained)
			.description("Requests in flight when the drain began, by how they ended")
			.tag("outcome", "drained")
			.baseUnit("requests")
			.register(registry);
		FunctionCounter
			.builder("lifecycle.shutdown.requests", this.coordinator, (coordinator) -> coordinator.abandoned().size())
			.description("Requests in flight when the drain began, by how they ended")
			.tag("outcome", "abandoned")
			.baseUnit("requests")
			.register(registry);
		Gauge.builder("lifecycle.tasks.active", this.coordinator.tasks(), (tasks) -> tasks.count())
			.description("Scheduled job runs and async tasks in progress now, on the executor and scheduler beans")
			.baseUnit("tasks")
			.register(registry);
		taskCounter(registry, "finished", (tasks) -> tasks.finished());
		taskCounter(registry, "interrupted", (tasks) -> tasks.interrupted().size());
		taskCounter(registry, "not_started", Tasks::notStarted);
		for (String broker : this.coordinator.consumers().brokers()) {
			Gauge.builder("lifecycle.messages.active", this.coordinator.consumers(), (consumers) -> consumers.inProgress(broker))
				.description("Messages in a listener now, per broker")
				.tag("broker", broker)
				.baseUnit("messages")
				.register(registry);
			messageCounter(registry, broker, "finished", (coordinator) -> coordinator.consumers().finished(broker));
			messageCounter(registry, broker, "redelivered",
					(coordinator) -> coordinator.messagesSoFar().redelivered(broker));
		}
		FunctionCounter
			.builder("lifecycle.shutdown.delay.arrivals", this.coordinator, ShutdownCoordinator::servedDuringDelay)
			.description("Requests that arrived after readiness flipped: the evidence that the delay was needed")
			.baseUnit("requests")
			.register(registry);
		StartupState startup = this.startup;
		if (startup != null && startup.hasChecks()) {
			TimeGauge.builder("lifecycle.startup.time", startup, TimeUnit.MILLISECONDS, (state) -> {
				Duration time = state.startupTime();
				return (time != null) ? time.toMillis() : Double.NaN;
			}).description("Time from the JVM's start until the startup probe went UP, startup checks included")
				.register(registry);
			Gauge.builder("lifecycle.startup.checks.pending", startup, StartupState::pendingChecks)
				.description("Startup checks not complete yet; 0 once start-up is complete")
				.register(registry);
		}
		if (this.warmup != null) {
			bindWarmup(registry, this.warmup);
		}
	}

	private void messageCounter(MeterRegistry registry, String broker, String outcome,
			ToDoubleFunction<ShutdownCoordinator> count) {
		FunctionCounter.builder("lifecycle.shutdown.messages", this.coordinator, count)
			.description("Messages during the shutdown, per broker: finished and acknowledged or committed, or left "
					+ "unacknowledged for redelivery at the deadline")
			.tag("broker", broker)
			.tag("outcome", outcome)
			.baseUnit("messages")
			.register(registry);
	}

	private void taskCounter(MeterRegistry registry, String outcome, ToDoubleFunction<Tasks> count) {
		FunctionCounter
			.builder("lifecycle.shutdown.tasks", this.coordinator,
					(coordinator) -> count.applyAsDouble(coordinator.tasksSoFar()))
			.description("Scheduled jobs and async tasks during the shutdown: finished, interrupted at the deadline, "
					+ "or queued and never started")
			.tag("outcome", outcome)
			.baseUnit("tasks")
			.register(registry);
	}

	private static void bindWarmup(MeterRegistry registry, WarmupPhase warmup) {
		TimeGauge.builder("lifecycle.warmup.duration", warmup, TimeUnit.MILLISECONDS, (phase) -> {
			WarmupResult result = phase.result();
			return (result != null) ? result.duration().toMillis() : Double.NaN;
		}).description("How long the warm-up took").register(registry);
		FunctionCounter.builder("lifecycle.warmup.requests", warmup, (phase) -> {
			WarmupResult result = phase.result();
			return (result != null) ? result.requests() - result.failedRequests() : 0;
		}).description("Warm-up requests, by outcome").tag("outcome", "ok").baseUnit("requests").register(registry);
		FunctionCounter.builder("lifecycle.warmup.requests", warmup, (phase) -> {
			WarmupResult result = phase.result();
			return (result != null) ? result.failedRequests() : 0;
		}).description("Warm-up requests, by outcome").tag("outcome", "failed").baseUnit("requests").register(registry);
		for (WarmupResult.Outcome outcome : WarmupResult.Outcome.values()) {
			Gauge.builder("lifecycle.warmup.outcome", warmup, (phase) -> {
				WarmupResult result = phase.result();
				return (result != null && result.outcome() == outcome) ? 1 : 0;
			}).description("1 for how the warm-up ended, 0 for the others and while it runs")
				.tag("outcome", tagValue(outcome))
				.register(registry);
		}
	}

	private static String tagValue(Enum<?> value) {
		return value.name().toLowerCase(Locale.ROOT);
	}

	// The coordinator is the gauge's state: Micrometer holds state weakly, and the
	// coordinator lives as long as the application.
	private TimeGauge.Builder<ShutdownCoordinator> timeGauge(String name,
			Function<ShutdownCoordinator, Duration> duration) {
		return TimeGauge.builder(name, this.coordinator, TimeUnit.MILLISECONDS,
				(coordinator) -> duration.apply(coordinator).toMillis());
	}

}
