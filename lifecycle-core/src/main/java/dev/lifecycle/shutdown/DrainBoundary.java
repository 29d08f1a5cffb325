package dev.lifecycle.shutdown;

import org.springframework.context.SmartLifecycle;

/**
 * Marks where Boot's graceful shutdown begins and ends. Lifecycle beans stop in
 * descending phase order, so a bean above Boot's {@code WebServerGracefulShutdownLifecycle}
 * stops just before the web server stops accepting, and one below stops once the drain
 * completed or timed out.
 */
public final class DrainBoundary implements SmartLifecycle {

	/**
	 * The phase of Boot's {@code WebServerGracefulShutdownLifecycle}: the same value on
	 * every Boot line, whose class each line keeps in another package.
	 */
	public static final int WEB_SERVER_GRACEFUL_SHUTDOWN_PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

	private final int phase;

	private final Runnable onStop;

	private volatile boolean running;

	private DrainBoundary(int phase, Runnable onStop) {
		this.phase = phase;
		this.onStop = onStop;
	}

	/**
	 * {@return a boundary that stops just before the web server stops accepting} Two phases
	 * above, so that stack-specific steps (taking the listen backlog) fit in between.
	 *
	 * @param coordinator the shutdown sequence told that the drain begins
	 */
	public static DrainBoundary start(ShutdownCoordinator coordinator) {
		return new DrainBoundary(WEB_SERVER_GRACEFUL_SHUTDOWN_PHASE + 2,
				coordinator::drainStarted);
	}

	/**
	 * {@return a boundary that stops once the drain completed or its timeout ran out} Two
	 * phases below, so that stack-specific waits (accepted connections not yet requests)
	 * fit in between.
	 *
	 * @param coordinator the shutdown sequence told that the drain ended
	 */
	public static DrainBoundary end(ShutdownCoordinator coordinator) {
		return new DrainBoundary(WEB_SERVER_GRACEFUL_SHUTDOWN_PHASE - 2, coordinator::drainEnded);
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.onStop.run();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return this.phase;
	}

}
