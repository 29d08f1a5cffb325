package dev.lifecycle.shutdown;

/**
 * The phases of a graceful shutdown, in the order they happen.
 *
 * <pre>
 * SERVING ─ context close ─► REFUSE ─► DELAY ─► DRAIN ─► ABANDON ─► CLOSE ─► COMPLETE
 *            readiness 503     keep serving,   server stops   cut what     pools and   one report
 *                              Connection:     accepting,     is still     executors   line
 *                              close           in-flight      running      close
 *                                              requests end
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

	/** The rest of the application context closes. */
	CLOSE,

	/** The context is closed and the shutdown report was written. */
	COMPLETE

}
