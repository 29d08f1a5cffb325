package dev.lifecycle.autoconfigure.shutdown;

import org.springframework.context.SmartLifecycle;

/**
 * Checks a broker's listener settings against the shutdown once, at start-up, in a
 * lifecycle phase before the broker's listener containers start: the containers exist
 * then, and none has consumed yet.
 */
abstract class ListenerSettingsCheck implements SmartLifecycle {

	private final int phase;

	private volatile boolean running;

	/**
	 * @param phase a phase below the listener containers' own
	 */
	ListenerSettingsCheck(int phase) {
		this.phase = phase;
	}

	/** Fails start-up, or warns, for the settings that cannot keep the shutdown's promise. */
	abstract void check();

	@Override
	public final void start() {
		this.running = true;
		check();
	}

	@Override
	public final void stop() {
		this.running = false;
	}

	@Override
	public final boolean isRunning() {
		return this.running;
	}

	@Override
	public final int getPhase() {
		return this.phase;
	}

}
