package dev.lifecycle.web;

import java.util.List;

/**
 * Path prefixes, each matching itself and what lies below it. The requests that are not
 * traffic (probes, actuator) for the servlet and reactive request tracking, so that both
 * stacks agree on what traffic is; and the paths Boot's health-group mapping can serve.
 */
public final class PathPrefixes {

	private final List<String> prefixes;

	/**
	 * Creates the set of prefixes.
	 *
	 * @param prefixes path prefixes; a prefix matches itself and what lies below it
	 * ({@code /actuator} matches {@code /actuator/health}, not {@code /actuators})
	 */
	public PathPrefixes(List<String> prefixes) {
		this.prefixes = List.copyOf(prefixes);
	}

	/**
	 * {@return whether a request path is under one of the prefixes}
	 *
	 * @param path the request's path
	 */
	public boolean contains(String path) {
		for (String prefix : this.prefixes) {
			if (path.equals(prefix) || path.startsWith(prefix) && path.charAt(prefix.length()) == '/') {
				return true;
			}
		}
		return false;
	}

	/** {@return the path prefixes} */
	public List<String> prefixes() {
		return this.prefixes;
	}

}
