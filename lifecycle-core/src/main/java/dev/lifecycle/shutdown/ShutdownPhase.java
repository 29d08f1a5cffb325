package dev.lifecycle.shutdown;

/**
 * The phases of a graceful shutdown, in the order they happen.
 *
 * <pre>
 * SERVING ─ context close ─► REFUSE ─► DELAY ─► DRAIN ─► ABANDON ─► TASKS ─► MESSAGES ─► CLOSE ─► COMPLETE
 *            readiness 503     keep serving,   server stops   cut what     wait for    wait for     pools and   one report
 *                              Connection:     accepting,     is still     jobs and    listener     executors   line
 *                              close           in-flight      running      tasks, up   containers   close
 *                                              requests end                to the      up to the
 *                                                                          deadline    deadline
 *            └─ scheduled jobs stop being triggered, message listeners stop taking messages;
 *               what they already hold runs on ─┘
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

	/**
	 * Message listener containers still finishing the messages they hold get until the
	 * deadline, then their listeners are interrupted and the messages go back to the broker.
	 */
	MESSAGES,

	/** The rest of the application context closes. */
	CLOSE,

	/** The context is closed and the shutdown report was written. */
	COMPLETE

}
