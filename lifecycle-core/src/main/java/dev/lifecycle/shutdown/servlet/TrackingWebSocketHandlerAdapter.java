package dev.lifecycle.shutdown.servlet;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.Ordered;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.web.servlet.HandlerAdapter;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

import dev.lifecycle.shutdown.InFlightRequests;
import dev.lifecycle.shutdown.WebSocketSessions;

/**
 * Serves the WebSocket handshakes of Spring WebSocket's endpoints ahead of Spring MVC's
 * own adapter, with each endpoint's handler wrapped so that its sessions are in flight
 * until they close and the drain closes them with 1001 (Going Away). The endpoint's
 * handshake handler and interceptors are used as they are. SockJS endpoints are not
 * wrapped.
 */
public final class TrackingWebSocketHandlerAdapter implements HandlerAdapter, Ordered, DisposableBean {

	private static final Log logger = LogFactory.getLog(TrackingWebSocketHandlerAdapter.class);

	private static final CloseStatus GOING_AWAY = CloseStatus.GOING_AWAY
		.withReason(WebSocketSessions.GOING_AWAY_REASON);

	private static final String SESSION_ATTRIBUTE = TrackingWebSocketHandlerAdapter.class.getName() + ".session";

	private final WebSocketSessions sessions;

	private final Map<WebSocketHttpRequestHandler, WebSocketHttpRequestHandler> tracking = new ConcurrentHashMap<>();

	// Closing sends a close frame with a blocking write: a client that stops reading would
	// hold the shutdown's thread, and every session after it, until the write times out.
	private final ExecutorService closer = Executors
		.newFixedThreadPool(4, new CustomizableThreadFactory("lifecycle-websocket-close-"));

	/**
	 * Creates the adapter.
	 *
	 * @param sessions where sessions are recorded
	 */
	public TrackingWebSocketHandlerAdapter(WebSocketSessions sessions) {
		this.sessions = sessions;
	}

	@Override
	public boolean supports(Object handler) {
		return handler instanceof WebSocketHttpRequestHandler;
	}

	/**
	 * {@return -1: a WebSocket handshake has no last-modified time} Spring Framework 6 (Spring
	 * Boot 3) still declares this method without a default; Spring Framework 7 removed it.
	 *
	 * @param request the handshake request
	 * @param handler the WebSocket handler
	 */
	public long getLastModified(HttpServletRequest request, Object handler) {
		return -1;
	}

	@Override
	public @Nullable ModelAndView handle(HttpServletRequest request, HttpServletResponse response, Object handler)
			throws Exception {
		this.tracking.computeIfAbsent((WebSocketHttpRequestHandler) handler, this::tracking)
			.handleRequest(request, response);
		return null;
	}

	private WebSocketHttpRequestHandler tracking(WebSocketHttpRequestHandler endpoint) {
		// The endpoint's handshake handler is already started and knows the servlet context.
		WebSocketHttpRequestHandler tracked = new WebSocketHttpRequestHandler(
				new SessionTracking(endpoint.getWebSocketHandler()), endpoint.getHandshakeHandler()) {

			@Override
			protected WebSocketHandler decorate(WebSocketHandler handler) {
				// The endpoint's handler is decorated already (exceptions, logging): once is enough.
				return handler;
			}

		};
		tracked.setHandshakeInterceptors(endpoint.getHandshakeInterceptors());
		return tracked;
	}

	@Override
	public int getOrder() {
		// Ahead of Spring MVC's HttpRequestHandlerAdapter, which would serve the endpoint unwrapped.
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public void destroy() {
		this.closer.shutdownNow();
	}

	private final class SessionTracking extends WebSocketHandlerDecorator {

		SessionTracking(WebSocketHandler delegate) {
			super(delegate);
		}

		@Override
		public void afterConnectionEstablished(WebSocketSession session) throws Exception {
			String path = (session.getUri() != null) ? session.getUri().getPath() : "";
			InFlightRequests.Request tracked = TrackingWebSocketHandlerAdapter.this.sessions.opened(path,
					() -> TrackingWebSocketHandlerAdapter.this.closer.execute(() -> goAway(session)));
			session.getAttributes().put(SESSION_ATTRIBUTE, tracked);
			super.afterConnectionEstablished(session);
		}

		@Override
		public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) throws Exception {
			try {
				super.afterConnectionClosed(session, closeStatus);
			}
			finally {
				if (session.getAttributes().remove(SESSION_ATTRIBUTE) instanceof InFlightRequests.Request tracked) {
					tracked.end();
				}
			}
		}

		private static void goAway(WebSocketSession session) {
			try {
				session.close(GOING_AWAY);
			}
			catch (IOException | RuntimeException ex) {
				// The connection is gone or unusable: the session ends when the server stops.
				logger.debug("Could not close WebSocket session " + session.getId() + " with 1001", ex);
			}
		}

	}

}
