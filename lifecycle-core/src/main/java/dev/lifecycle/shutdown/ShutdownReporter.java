package dev.lifecycle.shutdown;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.SpringApplicationShutdownHandlers;

/**
 * Writes the shutdown report once the context is closed. On SIGTERM, Boot's shutdown hook
 * runs its shutdown handlers after every context has closed, so the report covers the
 * whole close phase. When code closes the context without the JVM stopping (tests,
 * {@code SpringApplication.exit}), the report is written as this bean is destroyed.
 */
public final class ShutdownReporter implements DisposableBean {

	private final ShutdownCoordinator coordinator;

	private final SpringApplicationShutdownHandlers shutdownHandlers;

	private final Runnable report;

	/**
	 * Creates the reporter and registers it with Boot's shutdown handlers.
	 *
	 * @param coordinator the shutdown sequence whose report is written
	 * @param shutdownHandlers Boot's handlers that run once every context has closed
	 */
	public ShutdownReporter(ShutdownCoordinator coordinator, SpringApplicationShutdownHandlers shutdownHandlers) {
		this.coordinator = coordinator;
		this.shutdownHandlers = shutdownHandlers;
		this.report = coordinator::complete;
		shutdownHandlers.add(this.report);
	}

	@Override
	public void destroy() {
		try {
			this.shutdownHandlers.remove(this.report);
		}
		catch (IllegalStateException ex) {
			// Boot's shutdown hook is running: it calls the handler once every context is closed.
			return;
		}
		this.coordinator.complete();
	}

}
