package dev.lifecycle.shutdown.reactive;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.util.ClassUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.lifecycle.shutdown.InFlightRequests;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.UntrackedPaths;

/**
 * Tracks each exchange of the reactive stack from arrival until its response publisher
 * terminates (completes, fails or is cancelled by a client that went away), so streamed
 * responses ({@code Flux}, server-sent events) stay in flight until their last element,
 * and asks HTTP/1.x keep-alive clients to reconnect elsewhere once shutdown has begun.
 */
public final class InFlightExchangeFilter implements WebFilter, Ordered {

	private static final boolean REACTOR_NETTY_PRESENT = ClassUtils
		.isPresent("reactor.netty.http.server.HttpServerRequest", InFlightExchangeFilter.class.getClassLoader());

	private final ShutdownCoordinator coordinator;

	private final InFlightRequests requests;

	private final UntrackedPaths untrackedPaths;

	/**
	 * @param coordinator decides when responses carry {@code Connection: close}
	 * @param untrackedPathPrefixes paths that are not traffic (probes, actuator): they
	 * neither count as in-flight nor break the quiet period
	 */
	public InFlightExchangeFilter(ShutdownCoordinator coordinator, List<String> untrackedPathPrefixes) {
		this.coordinator = coordinator;
		this.requests = coordinator.requests();
		this.untrackedPaths = new UntrackedPaths(untrackedPathPrefixes);
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		// Decided when the response commits, not on arrival: a request that arrived before
		// SIGTERM and answers during the delay closes its connection too.
		exchange.getResponse().beforeCommit(() -> {
			if (this.coordinator.closesConnections() && isHttp1(request)) {
				exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
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
			return chain.filter(exchange).doFinally((signal) -> tracked.end());
		});
	}

	/**
	 * HTTP/2 forbids the {@code Connection} header; its clients move on the GOAWAY the
	 * server sends when it closes the connection. Servers other than Reactor Netty do not
	 * tell the protocol through WebFlux: they are taken to be HTTP/1.x, and HTTP/2
	 * implementations drop connection-specific headers anyway.
	 */
	private static boolean isHttp1(ServerHttpRequest request) {
		return !REACTOR_NETTY_PRESENT || ReactorNettyProtocol.isHttp1(request);
	}

	@Override
	public int getOrder() {
		// First in the chain: it must see every exchange, including those other filters reject.
		return Ordered.HIGHEST_PRECEDENCE;
	}

	/** Kept apart so that the filter loads without Reactor Netty on the classpath. */
	private static final class ReactorNettyProtocol {

		static boolean isHttp1(ServerHttpRequest request) {
			Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
			if (nativeRequest instanceof reactor.netty.http.server.HttpServerRequest netty) {
				return netty.protocol().startsWith("HTTP/1");
			}
			return true;
		}

	}

}
