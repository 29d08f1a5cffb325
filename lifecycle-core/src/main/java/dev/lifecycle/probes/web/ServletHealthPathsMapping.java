package dev.lifecycle.probes.web;

import java.util.Iterator;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

import dev.lifecycle.web.PathPrefixes;

/**
 * Boot's Spring MVC mapping for the health groups' paths, asked only about requests under
 * them (see {@link HealthPathsMappingShortcut}); in its place, with its order. A caller
 * that has not had the request's path parsed, as the {@code DispatcherServlet} does, is
 * sent to Boot's mapping each time. Iterable over Boot's mapping, as Boot's composite
 * mappings are, so that {@code /actuator/mappings} still describes it.
 */
final class ServletHealthPathsMapping extends HealthPathsMapping implements HandlerMapping, Iterable<HandlerMapping> {

	private final RequestMappingInfoHandlerMapping boot;

	private ServletHealthPathsMapping(RequestMappingInfoHandlerMapping boot, PathPrefixes paths) {
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
				.flatMap((info) -> info.getPatternValues().stream())
				.toList())
			.map((paths) -> new ServletHealthPathsMapping(boot, paths))
			.orElse(null);
	}

	@Override
	public @Nullable HandlerExecutionChain getHandler(HttpServletRequest request) throws Exception {
		if (ServletRequestPathUtils.hasParsedRequestPath(request)
				&& !mayServe(ServletRequestPathUtils.getParsedRequestPath(request).pathWithinApplication().value())) {
			return null;
		}
		return this.boot.getHandler(request);
	}

	@Override
	public boolean usesPathPatterns() {
		return this.boot.usesPathPatterns();
	}

	@Override
	public Iterator<HandlerMapping> iterator() {
		return List.<HandlerMapping>of(this.boot).iterator();
	}

}
