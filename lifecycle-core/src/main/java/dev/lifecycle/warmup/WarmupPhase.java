package dev.lifecycle.warmup;

import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.SmartApplicationListener;

import dev.lifecycle.probes.HealthCheck;
import dev.lifecycle.probes.HealthState;
import dev.lifecycle.probes.StartupCheck;

/**
 * The warm-up phase between "started" and "ready". It starts once the application is ready
 * (web server up, runners done) on a thread of its own; until it ends, this indicator is
 * OUT_OF_SERVICE, which holds the readiness group, and as a {@link StartupCheck} it holds
 * the startup probe. A shutdown cancels it at once, and then neither goes UP.
 */
public final class WarmupPhase implements HealthCheck, StartupCheck, SmartApplicationListener {

	private final ApplicationContext context;

	private final Warmup warmup;

	private final AtomicBoolean started = new AtomicBoolean();

	private volatile @Nullable WarmupResult result;

	/**
	 * Creates the phase.
	 *
	 * @param context the application context: its ready event starts the warm-up, its
	 * closing cancels it
	 * @param warmup the warm-up to run
	 */
	public WarmupPhase(ApplicationContext context, Warmup warmup) {
		this.context = context;
		this.warmup = warmup;
	}

	@Override
	public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
		return ApplicationReadyEvent.class.isAssignableFrom(eventType)
				|| ContextClosedEvent.class.isAssignableFrom(eventType);
	}

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		if (event instanceof ApplicationReadyEvent ready && ready.getApplicationContext() == this.context
				&& this.started.compareAndSet(false, true)) {
			Thread thread = new Thread(this::runWarmup, "lifecycle-warmup");
			thread.setDaemon(true);
			thread.start();
		}
		if (event instanceof ContextClosedEvent closed && closed.getApplicationContext() == this.context) {
			this.warmup.cancel();
		}
	}

	private void runWarmup() {
		this.result = this.warmup.run();
	}

	/** Done, and not cut short by a shutdown. */
	@Override
	public boolean isComplete() {
		WarmupResult result = this.result;
		return result != null && result.outcome() != WarmupResult.Outcome.CANCELLED;
	}

	@Override
	public HealthState check() {
		return isComplete() ? HealthState.up() : HealthState.outOfService("warmup", "in progress");
	}

	/** {@return how the warm-up went, once it ended} */
	public @Nullable WarmupResult result() {
		return this.result;
	}

}
