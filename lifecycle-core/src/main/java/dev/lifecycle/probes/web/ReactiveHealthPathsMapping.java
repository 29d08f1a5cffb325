package dev.lifecycle.probes.web;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.result.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;

import dev.lifecycle.web.PathPrefixes;

/**
 * Boot's WebFlux mapping for the health groups' paths, asked only about requests under
 * them (see {@link HealthPathsMappingShortcut}); in its place, with its order.
 */
final class ReactiveHealthPathsMapping extends HealthPathsMapping implements HandlerMapping {

	private final RequestMappingInfoHandlerMapping boot;

	private ReactiveHealthPathsMapping(RequestMappingInfoHandlerMapping boot, PathPrefixes paths) {
		super(boot, paths);
		this.boot = boot;
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
		if (!mayServe(exchange.getRequest().getPath().pathWithinApplication().value())) {
			return Mono.empty();
		}
		return this.boot.getHandler(exchange);
	}

}
