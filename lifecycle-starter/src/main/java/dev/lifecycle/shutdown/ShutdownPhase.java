package dev.lifecycle.shutdown;

/**
 * The phases of a graceful shutdown, in the order they happen.
 *
 * <pre>
 * SERVING ─ context close ─► REFUSE ─► DELAY ─► DRAIN ─► ABANDON ─► TASKS ─► CLOSE ─► COMPLETE
 *            readiness 503     keep serving,   server stops   cut what     wait for    pools and   one report
 *                              Connection:     accepting,     is still     jobs and    executors   line
 *                              close           in-flight      running      tasks, up   close
 *                                              requests end                to the
 *                                                                          deadline
 *            └─ scheduled jobs stop being triggered; jobs and async tasks in progress run on ─┘
 * </pre>
 */
public enum ShutdownPhase {

	/** The application serves traffic; no shutdown has begun. */
	SERVING,

	/** The context started closing and readiness went to REFUSING_TRAFFIC. */
	REFUSE,

	/** Still accepting and serving while load balancers stop routing to this instance. */
	DELAY,

	/** The web server stopped accepting; in-flight requests are finishing. */
	DRAIN,

	/** The drain ended; whatever still runs is counted, logged and cut. */
	ABANDON,

	/**
	 * The requests are done; scheduled jobs and async tasks still running get until the
	 * deadline (grace period less margin), then are interrupted.
	 */
	TASKS,

	/** The rest of the application context closes. */
	CLOSE,

	/** The context is closed and the shutdown report was written. */
	COMPLETE

}
