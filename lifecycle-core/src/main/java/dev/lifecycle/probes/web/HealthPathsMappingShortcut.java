package dev.lifecycle.probes.web;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.util.ClassUtils;

import dev.lifecycle.web.PathPrefixes;

/**
 * Puts a shortcut in front of Boot's handler mapping for the health groups' paths on the
 * main port ({@code /livez}, {@code /readyz}, {@code /startupz}): it asks Boot's mapping
 * only about requests under those paths. Boot orders that mapping ahead of the
 * application's own, and a request it does not map costs it a match against each of its
 * mappings, the {@code Accept} header against the health endpoint's media types first:
 * the sample's {@code /hello} lost 7 % of its throughput to it. The same on Spring MVC and
 * WebFlux, on each Boot line (the mapping has the same name in both).
 */
public final class HealthPathsMappingShortcut implements BeanPostProcessor {

	private static final String BOOT_MAPPING_PREFIX = "AdditionalHealthEndpointPaths";

	private static final boolean SERVLET = isPresent(
			"org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping");

	private static final boolean REACTIVE = isPresent(
			"org.springframework.web.reactive.result.method.RequestMappingInfoHandlerMapping");

	/** Created by Spring, with the probes. */
	public HealthPathsMappingShortcut() {
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (!bean.getClass().getSimpleName().startsWith(BOOT_MAPPING_PREFIX)) {
			return bean;
		}
		if (SERVLET) {
			Object shortcut = ServletHealthPathsMapping.inFrontOf(bean);
			if (shortcut != null) {
				return shortcut;
			}
		}
		if (REACTIVE) {
			Object shortcut = ReactiveHealthPathsMapping.inFrontOf(bean);
			if (shortcut != null) {
				return shortcut;
			}
		}
		return bean;
	}

	/**
	 * The paths a mapping can serve, from its patterns: each pattern's literal segments
	 * before its first variable or wildcard ({@code /livez/{*path}} gives {@code /livez}).
	 * Empty when a pattern starts with a variable or wildcard, or has one inside its first
	 * segment: then any path may be the mapping's, and it is asked about each.
	 *
	 * @param patterns the mapping's path patterns
	 * @return the prefixes, if the patterns have them
	 */
	static Optional<PathPrefixes> prefixesOf(Collection<String> patterns) {
		List<String> prefixes = new ArrayList<>();
		for (String pattern : patterns) {
			int variable = indexOfAny(pattern, "{*?");
			int end = (variable < 0) ? pattern.length() : Math.max(pattern.lastIndexOf('/', variable), 0);
			String literal = pattern.substring(0, end);
			while (literal.endsWith("/")) {
				literal = literal.substring(0, literal.length() - 1);
			}
			if (!literal.startsWith("/")) {
				return Optional.empty();
			}
			prefixes.add(literal);
		}
		return Optional.of(new PathPrefixes(prefixes));
	}

	/**
	 * {@return whether a request's path within the application may be one of the mapping's}
	 * A path Boot would decode or strip of parameters ({@code %}, {@code ;}) first is asked
	 * about as it is.
	 *
	 * @param prefixes the mapping's prefixes
	 * @param path the raw path within the application
	 */
	static boolean mayServe(PathPrefixes prefixes, String path) {
		return path.indexOf('%') >= 0 || path.indexOf(';') >= 0 || prefixes.contains(path);
	}

	private static int indexOfAny(String text, String characters) {
		for (int i = 0; i < text.length(); i++) {
			if (characters.indexOf(text.charAt(i)) >= 0) {
				return i;
			}
		}
		return -1;
	}

	private static boolean isPresent(String className) {
		return ClassUtils.isPresent(className, HealthPathsMappingShortcut.class.getClassLoader());
	}

}
