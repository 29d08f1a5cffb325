package dev.lifecycle.probes.web;

import java.util.Iterator;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.core.Ordered;
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
final class ServletHealthPathsMapping implements HandlerMapping, Ordered, Iterable<HandlerMapping> {

	private final RequestMappingInfoHandlerMapping boot;

	private final PathPrefixes paths;

	private ServletHealthPathsMapping(RequestMappingInfoHandlerMapping boot, PathPrefixes paths) {
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
				.flatMap((info) -> info.getPatternValues().stream())
				.toList())
			.map((paths) -> new ServletHealthPathsMapping(boot, paths))
			.orElse(null);
	}

	@Override
	public @Nullable HandlerExecutionChain getHandler(HttpServletRequest request) throws Exception {
		if (ServletRequestPathUtils.hasParsedRequestPath(request) && !HealthPathsMappingShortcut.mayServe(this.paths,
				ServletRequestPathUtils.getParsedRequestPath(request).pathWithinApplication().value())) {
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

	@Override
	public int getOrder() {
		return this.boot.getOrder();
	}

	/** {@return the paths Boot's mapping serves} */
	PathPrefixes paths() {
		return this.paths;
	}

	/** {@return Boot's mapping} */
	RequestMappingInfoHandlerMapping boot() {
		return this.boot;
	}

	@Override
	public String toString() {
		return "Shortcut to " + this.boot + " for " + this.paths.prefixes();
	}

}
