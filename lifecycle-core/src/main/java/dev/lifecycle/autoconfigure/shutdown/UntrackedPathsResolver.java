package dev.lifecycle.autoconfigure.shutdown;

import java.util.ArrayList;
import java.util.List;

import org.springframework.core.env.Environment;

/**
 * Paths on the main port that are not traffic, read from Boot's properties: the actuator
 * base path and the health groups' additional paths ({@code /livez}, {@code /readyz},
 * {@code /startupz}). The servlet and the reactive request tracking both use it.
 */
final class UntrackedPathsResolver {

	private static final String MAIN_SERVER_PREFIX = "server:";

	private UntrackedPathsResolver() {
	}

	static List<String> resolve(Environment environment) {
		List<String> paths = new ArrayList<>();
		paths.add(environment.getProperty("management.endpoints.web.base-path", "/actuator"));
		if (environment.getProperty("management.endpoint.health.probes.add-additional-paths", Boolean.class, false)) {
			paths.addAll(List.of("/livez", "/readyz"));
		}
		for (String group : List.of("liveness", "readiness", "startup")) {
			String path = environment.getProperty("management.endpoint.health.group." + group + ".additional-path");
			if (path != null && path.startsWith(MAIN_SERVER_PREFIX)) {
				paths.add(path.substring(MAIN_SERVER_PREFIX.length()));
			}
		}
		return paths;
	}

}
