package dev.lifecycle.shutdown;

import java.util.List;

/**
 * Paths that are not traffic (probes, actuator): requests to them neither count as
 * in-flight nor break the quiet period. Shared by the servlet and the reactive request
 * tracking, so both stacks agree on what traffic is.
 */
public final class UntrackedPaths {

	private final List<String> prefixes;

	/**
	 * Creates the set of untracked paths.
	 *
	 * @param prefixes path prefixes; a prefix matches itself and what lies below it
	 * ({@code /actuator} matches {@code /actuator/health}, not {@code /actuators})
	 */
	public UntrackedPaths(List<String> prefixes) {
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
