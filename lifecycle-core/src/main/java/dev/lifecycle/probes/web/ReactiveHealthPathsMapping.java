package dev.lifecycle.probes.web;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.result.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;

import dev.lifecycle.web.PathPrefixes;

/**
 * Boot's WebFlux mapping for the health groups' paths, asked only about requests under
 * them (see {@link HealthPathsMappingShortcut}); in its place, with its order.
 */
final class ReactiveHealthPathsMapping implements HandlerMapping, Ordered {

	private final RequestMappingInfoHandlerMapping boot;

	private final PathPrefixes paths;

	private ReactiveHealthPathsMapping(RequestMappingInfoHandlerMapping boot, PathPrefixes paths) {
		this.boot = boot;
		this.paths = paths;
	}

	static @Nullable Object inFrontOf(Object bean) {
		if (!(bean instanceof RequestMappingInfoHandlerMapping boot)) {
			return null;
		}
		return HealthPathsMappingShortcut
			.prefixesOf(boot.getHandlerMethods()
				.keySet()
				.stream()
				.flatMap((info) -> info.getPatternsCondition().getPatterns().stream())
				.map(PathPattern::getPatternString)
				.toList())
			.map((paths) -> new ReactiveHealthPathsMapping(boot, paths))
			.orElse(null);
	}

	@Override
	public Mono<Object> getHandler(ServerWebExchange exchange) {
		if (!HealthPathsMappingShortcut.mayServe(this.paths,
				exchange.getRequest().getPath().pathWithinApplication().value())) {
			return Mono.empty();
		}
		return this.boot.getHandler(exchange);
	}

	@Override
	public int getOrder() {
		return this.boot.getOrder();
	}

	/** {@return the paths Boot's mapping serves} */
	PathPrefixes paths() {
		return this.paths;
	}

	@Override
	public String toString() {
		return "Shortcut to " + this.boot + " for " + this.paths.prefixes();
	}

}
