package dev.lifecycle.probes.web;

import org.springframework.core.Ordered;

import dev.lifecycle.web.PathPrefixes;

/**
 * What the Spring MVC and WebFlux shortcuts share: Boot's mapping, whose order they take,
 * and the paths it serves.
 */
abstract class HealthPathsMapping implements Ordered {

	private final Ordered boot;

	private final PathPrefixes paths;

	HealthPathsMapping(Ordered boot, PathPrefixes paths) {
		this.boot = boot;
		this.paths = paths;
	}

	/**
	 * {@return whether Boot's mapping may serve a path}
	 *
	 * @param path the raw path within the application
	 */
	final boolean mayServe(String path) {
		return HealthPathsMappingShortcut.mayServe(this.paths, path);
	}

	@Override
	public final int getOrder() {
		return this.boot.getOrder();
	}

	/** {@return the paths Boot's mapping serves} */
	final PathPrefixes paths() {
		return this.paths;
	}

	@Override
	public String toString() {
		return "Shortcut to " + this.boot + " for " + this.paths.prefixes();
	}

}
