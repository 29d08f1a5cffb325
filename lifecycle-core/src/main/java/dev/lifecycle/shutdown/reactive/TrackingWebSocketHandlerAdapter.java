package dev.lifecycle.shutdown.reactive;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.HandlerAdapter;
import org.springframework.web.reactive.HandlerResult;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import org.springframework.web.server.ServerWebExchange;

import dev.lifecycle.shutdown.InFlightRequests;
import dev.lifecycle.shutdown.WebSocketSessions;

/**
 * Serves WebFlux's WebSocket handlers ahead of WebFlux's own {@link WebSocketHandlerAdapter},
 * through it, with each handler wrapped so that its sessions are in flight until they
 * close and the drain closes them with 1001 (Going Away).
 */
public final class TrackingWebSocketHandlerAdapter implements HandlerAdapter, Ordered {

	private static final CloseStatus GOING_AWAY = CloseStatus.GOING_AWAY
		.withReason(WebSocketSessions.GOING_AWAY_REASON);

	private final WebSocketSessions sessions;

	private final ObjectProvider<WebSocketHandlerAdapter> webSocketAdapter;

	/**
	 * Creates the adapter.
	 *
	 * @param sessions where sessions are recorded
	 * @param webSocketAdapter WebFlux's adapter, which performs the handshake
	 */
	public TrackingWebSocketHandlerAdapter(WebSocketSessions sessions,
			ObjectProvider<WebSocketHandlerAdapter> webSocketAdapter) {
		this.sessions = sessions;
		this.webSocketAdapter = webSocketAdapter;
	}

	@Override
	public boolean supports(Object handler) {
		return handler instanceof WebSocketHandler && this.webSocketAdapter.getIfAvailable() != null;
	}

	@Override
	public Mono<HandlerResult> handle(ServerWebExchange exchange, Object handler) {
		return this.webSocketAdapter.getObject().handle(exchange, new SessionTracking((WebSocketHandler) handler));
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	private final class SessionTracking implements WebSocketHandler {

		private final WebSocketHandler delegate;

		SessionTracking(WebSocketHandler delegate) {
			this.delegate = delegate;
		}

		@Override
		public List<String> getSubProtocols() {
			return this.delegate.getSubProtocols();
		}

		@Override
		public Mono<Void> handle(WebSocketSession session) {
			return Mono.defer(() -> {
				InFlightRequests.Request tracked = TrackingWebSocketHandlerAdapter.this.sessions
					.opened(session.getHandshakeInfo().getUri().getPath(), () -> session.close(GOING_AWAY).onErrorComplete().subscribe());
				return this.delegate.handle(session).doFinally((signal) -> tracked.end());
			});
		}

	}

}
