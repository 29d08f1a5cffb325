package dev.lifecycle.shutdown;

/**
 * WebSocket sessions as the shutdown sees them: each open session is in flight, under the
 * method {@value #METHOD} and its handshake's path, from the handshake until it closes.
 * When the drain begins, every session is closed with 1001 (Going Away, Spring's
 * {@code CloseStatus.GOING_AWAY}) and {@link #GOING_AWAY_REASON},
 * so that its client reconnects, to another pod; a session still open when the drain
 * timeout runs out is abandoned and reported like a request.
 */
public final class WebSocketSessions {

	/** The method a session is reported under. */
	public static final String METHOD = "WEBSOCKET";

	/** The close reason the drain sends with 1001 (Going Away). */
	public static final String GOING_AWAY_REASON = "Server shutting down; reconnect";

	private final InFlightRequests requests;

	private final boolean goingAway;

	/**
	 * Creates the record of a web stack's sessions.
	 *
	 * @param requests where sessions are in flight
	 * @param goingAway whether the drain closes sessions with 1001 (Going Away); if not,
	 * they run until their clients close them or the drain timeout runs out
	 */
	public WebSocketSessions(InFlightRequests requests, boolean goingAway) {
		this.requests = requests;
		this.goingAway = goingAway;
	}

	/**
	 * Records a session that has just opened.
	 *
	 * @param path the path of its handshake
	 * @param closeGoingAway closes the session with 1001 (Going Away) and
	 * {@value #GOING_AWAY_REASON} without blocking the caller
	 * @return the handle to end when the session closes
	 */
	public InFlightRequests.Request opened(String path, Runnable closeGoingAway) {
		InFlightRequests.Request session = this.requests.begin(METHOD, path);
		if (this.goingAway) {
			session.endStreamOnDrain(closeGoingAway);
		}
		return session;
	}

}
