package dev.lifecycle.shutdown;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.Ordered;

import dev.lifecycle.probes.ReadinessProbeRecord.Verdict;

/**
 * Starts the shutdown sequence when the application context starts closing: refuses
 * traffic, then holds the closing thread for the delay.
 * <p>
 * Why a {@link ContextClosedEvent} listener at the highest precedence rather than a
 * {@code SmartLifecycle} above {@code WebServerGracefulShutdownLifecycle}: Spring's
 * executors and schedulers shut down early on that same event, and lifecycle beans in the
 * default phase (message listeners, schedulers) stop before any lower phase. Running the
 * delay first keeps the whole application, {@code @Async} and async MVC included, working
 * while traffic still arrives. It is Boot's own close sequence (run by its shutdown hook on
 * SIGTERM), not a JVM shutdown hook of ours.
 */
public final class ContextClosingListener implements SmartApplicationListener {

	private final ApplicationContext context;

	private final ApplicationAvailability availability;

	private final ShutdownCoordinator coordinator;

	private final Supplier<Verdict> readinessProbe;

	private final BooleanSupplier startupComplete;

	private volatile boolean acceptedTraffic;

	/**
	 * Creates the listener.
	 *
	 * @param context the application context whose closing starts the sequence
	 * @param availability the application's availability, read so that readiness is flipped
	 * only where Boot has not done it already
	 * @param coordinator the shutdown sequence
	 * @param readinessProbe what the readiness probe answered: once it passed, a load
	 * balancer may route here and the delay runs; if it was asked and never passed, the
	 * delay is skipped
	 * @param startupComplete whether start-up finished (startup checks, warm-up); decides
	 * only when the readiness probe was never asked
	 */
	public ContextClosingListener(ApplicationContext context, ApplicationAvailability availability,
			ShutdownCoordinator coordinator, Supplier<Verdict> readinessProbe, BooleanSupplier startupComplete) {
		this.context = context;
		this.availability = availability;
		this.coordinator = coordinator;
		this.readinessProbe = readinessProbe;
		this.startupComplete = startupComplete;
	}

	@Override
	public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
		return ContextClosedEvent.class.isAssignableFrom(eventType)
				|| AvailabilityChangeEvent.class.isAssignableFrom(eventType);
	}

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		if (event instanceof AvailabilityChangeEvent<?> change && change.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
			this.acceptedTraffic = true;
		}
		// A child context (the management server on its own port) closing is not our shutdown.
		if (event instanceof ContextClosedEvent closed && closed.getApplicationContext() == this.context) {
			onClose();
		}
	}

	private void onClose() {
		// Boot's web server contexts publish this themselves just before; other contexts do not.
		if (this.availability.getReadinessState() != ReadinessState.REFUSING_TRAFFIC) {
			AvailabilityChangeEvent.publish(this.context, ReadinessState.REFUSING_TRAFFIC);
		}
		this.coordinator.refuse();
		this.coordinator.delay(mayBeRouted());
	}

	/** Whether a load balancer may still route here, so that the delay must run. */
	private boolean mayBeRouted() {
		return switch (this.readinessProbe.get()) {
			case PASSED -> true;
			case NEVER_PASSED -> false;
			// No readiness probe asked (none configured, or the startup probe still holds it
			// back): ready by Boot's state and with start-up complete is what it would have said.
			case NEVER_ASKED -> this.acceptedTraffic && this.startupComplete.getAsBoolean();
		};
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
