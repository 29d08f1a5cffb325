package dev.lifecycle.actuate;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import dev.lifecycle.probes.StartupStateHealthIndicator;
import dev.lifecycle.shutdown.ShutdownBudget;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownReport;

/**
 * The {@code lifecycle} actuator endpoint: where the application is in its lifecycle, the
 * shutdown budget and where each value came from, and how the shutdown went. Read-only by
 * design: nothing here can start a shutdown, a drain or change availability.
 */
@Endpoint(id = "lifecycle")
public final class LifecycleEndpoint {

	private final ShutdownCoordinator coordinator;

	private final @Nullable StartupStateHealthIndicator startup;

	public LifecycleEndpoint(ShutdownCoordinator coordinator, @Nullable StartupStateHealthIndicator startup) {
		this.coordinator = coordinator;
		this.startup = startup;
	}

	@ReadOperation
	public LifecycleDescriptor lifecycle() {
		ShutdownBudget budget = this.coordinator.budget();
		ShutdownReport progress = this.coordinator.progress();
		return new LifecycleDescriptor(this.coordinator.phase().name(),
				new BudgetDescriptor(value(budget.terminationGracePeriod()), value(budget.delay()),
						(budget.quietPeriod() != null) ? value(budget.quietPeriod()) : null,
						value(budget.drainTimeout()), value(budget.margin())),
				this.coordinator.requests().count(), startup(),
				(progress != null) ? shutdown(progress, this.coordinator.lastReport() != null) : null);
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
				report.delayEnd().name().toLowerCase(Locale.ROOT), report.servedDuringDelay(), report.drain().toMillis(),
				report.drained(), abandoned, report.close().toMillis());
	}

	/**
	 * The endpoint's answer.
	 *
	 * @param phase the current phase: SERVING until the context starts closing
	 * @param budget the shutdown budget
	 * @param inFlight requests being served now
	 * @param startup the startup state, when the probes are on
	 * @param shutdown the shutdown so far, or the last one once complete; absent while
	 * serving
	 */
	public record LifecycleDescriptor(String phase, BudgetDescriptor budget, int inFlight,
			@Nullable StartupDescriptor startup, @Nullable ShutdownDescriptor shutdown) {
	}

	public record BudgetDescriptor(ValueDescriptor terminationGracePeriod, ValueDescriptor delay,
			@Nullable ValueDescriptor quietPeriod, ValueDescriptor drainTimeout, ValueDescriptor margin) {
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

	public record StartupDescriptor(boolean complete, @Nullable Long timeMillis) {
	}

	public record ShutdownDescriptor(boolean complete, @Nullable String summary, String started,
			Map<String, String> phases, long totalMillis, long budgetMillis, long delayMillis, String delayEnd,
			long delayArrivals, long drainMillis, long drained, List<AbandonedDescriptor> abandoned,
			long closeMillis) {
	}

	public record AbandonedDescriptor(String method, String path, long ageMillis) {
	}

}
