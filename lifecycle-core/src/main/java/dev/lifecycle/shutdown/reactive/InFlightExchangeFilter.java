package dev.lifecycle.shutdown.reactive;

import java.util.List;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.AttributeKey;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.util.ClassUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.lifecycle.shutdown.InFlightRequests;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.web.PathPrefixes;

/**
 * Tracks each exchange of the reactive stack from arrival until its response publisher
 * terminates (completes, fails or is cancelled by a client that went away), so streamed
 * responses ({@code Flux}, server-sent events) stay in flight until their last element,
 * lets the drain end server-sent event streams, and asks clients to reconnect elsewhere once shutdown has begun: {@code Connection:
 * close} for HTTP/1.x, a GOAWAY for HTTP/2 on Reactor Netty.
 */
public final class InFlightExchangeFilter implements WebFilter, Ordered {

	private static final boolean REACTOR_NETTY_PRESENT = ClassUtils
		.isPresent("reactor.netty.http.server.HttpServerRequest", InFlightExchangeFilter.class.getClassLoader());

	private final ShutdownCoordinator coordinator;

	private final InFlightRequests requests;

	private final PathPrefixes untrackedPaths;

	/**
	 * Creates the filter.
	 *
	 * @param coordinator decides when responses carry {@code Connection: close}
	 * @param untrackedPathPrefixes paths that are not traffic (probes, actuator): they
	 * neither count as in-flight nor break the quiet period
	 */
	public InFlightExchangeFilter(ShutdownCoordinator coordinator, List<String> untrackedPathPrefixes) {
		this.coordinator = coordinator;
		this.requests = coordinator.requests();
		this.untrackedPaths = new PathPrefixes(untrackedPathPrefixes);
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		// Decided when the response commits, not on arrival: a request that arrived before
		// SIGTERM and answers during the delay closes its connection too.
		exchange.getResponse().beforeCommit(() -> {
			if (this.coordinator.closesConnections()) {
				closeConnection(exchange);
			}
			return Mono.empty();
		});
		if (this.untrackedPaths.contains(request.getPath().pathWithinApplication().value())) {
			return chain.filter(exchange);
		}
		// Begun on subscription, so an exchange that is never subscribed is never counted.
		return Mono.defer(() -> {
			InFlightRequests.Request tracked = this.requests.begin(request.getMethod().name(),
					request.getPath().value());
			ServerWebExchange endable = exchange.mutate().response(new EventStreamEnding(exchange.getResponse(), tracked))
				.build();
			return chain.filter(endable).doFinally((signal) -> tracked.end());
		});
	}

	/**
	 * Lets the drain end a server-sent event stream: its body completes, so the client gets
	 * the end of a complete response and reconnects, to another pod.
	 */
	private static final class EventStreamEnding extends ServerHttpResponseDecorator {

		private final InFlightRequests.Request tracked;

		EventStreamEnding(ServerHttpResponse delegate, InFlightRequests.Request tracked) {
			super(delegate);
			this.tracked = tracked;
		}

		@Override
		public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
			return super.writeAndFlushWith(isEventStream() ? Flux.from(body).takeUntilOther(drain()) : body);
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			return super.writeWith(isEventStream() ? Flux.from(body).takeUntilOther(drain()) : body);
		}

		private boolean isEventStream() {
			MediaType contentType = getHeaders().getContentType();
			return contentType != null && MediaType.TEXT_EVENT_STREAM.isCompatibleWith(contentType);
		}

		private Mono<Boolean> drain() {
			Sinks.One<Boolean> drain = Sinks.one();
			this.tracked.endStreamOnDrain(() -> drain.tryEmitValue(true));
			return drain.asMono();
		}

	}

	/**
	 * HTTP/1.x: {@code Connection: close} on this response. HTTP/2 forbids that header: on
	 * Reactor Netty the connection gets a GOAWAY once this stream is done, so the client
	 * finishes its open streams and sends new requests on a new connection. Other servers do
	 * not tell the protocol through WebFlux: they get the header, which HTTP/2
	 * implementations drop.
	 */
	private static void closeConnection(ServerWebExchange exchange) {
		if (REACTOR_NETTY_PRESENT && ReactorNetty.closeConnection(exchange)) {
			return;
		}
		exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
	}

	@Override
	public int getOrder() {
		// First in the chain: it must see every exchange, including those other filters reject.
		return Ordered.HIGHEST_PRECEDENCE;
	}

	/** Kept apart so that the filter loads without Reactor Netty on the classpath. */
	private static final class ReactorNetty {

		private static final AttributeKey<Boolean> GOAWAY_SCHEDULED = AttributeKey
			.valueOf(InFlightExchangeFilter.class.getName() + ".goAwayScheduled");

		/** @return whether the exchange was on Reactor Netty and is taken care of */
		static boolean closeConnection(ServerWebExchange exchange) {
			Object request = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
			Object response = ServerHttpResponseDecorator.getNativeResponse(exchange.getResponse());
			if (!(request instanceof HttpServerRequest nettyRequest)
					|| !(response instanceof HttpServerResponse nettyResponse)) {
				return false;
			}
			if (nettyRequest.protocol().startsWith("HTTP/1")) {
				return false;
			}
			nettyResponse.withConnection((connection) -> goAwayAfter(connection.channel()));
			return true;
		}

		/**
		 * Once per connection, after the stream is closed: a GOAWAY written to the
		 * connection's channel carries the last stream the server accepted (Netty's
		 * {@code Http2FrameCodec} fills it in), so every stream the client had opened is
		 * served; one opened as the GOAWAY crossed is refused as safe to retry.
		 */
		private static void goAwayAfter(Channel stream) {
			Channel connection = stream.parent();
			if (connection == null || connection.attr(GOAWAY_SCHEDULED).setIfAbsent(Boolean.TRUE) != null) {
				return;
			}
			stream.closeFuture().addListener((closed) -> {
				if (connection.isActive()) {
					connection.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
				}
			});
		}

	}

}
