package dev.lifecycle.probes;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Warns once at start-up when the liveness group holds more than the process's own state.
 * A database or downstream service in liveness turns its outage into restarts of healthy
 * pods, which makes the outage worse.
 */
public final class LivenessGroupAdvisor implements SmartInitializingSingleton {

	/** What liveness may contain: the process's own ability to make progress. */
	static final Set<String> PROCESS_STATE = Set.of("livenessState", "deadlockedThreads", "ping");

	private static final Log logger = LogFactory.getLog(LivenessGroupAdvisor.class);

	private final Supplier<List<String>> livenessMembers;

	/**
	 * Creates the advisor.
	 *
	 * @param livenessMembers the names of the health contributors in the liveness group,
	 * read from Boot's health groups by the starter of each Boot line
	 */
	public LivenessGroupAdvisor(Supplier<List<String>> livenessMembers) {
		this.livenessMembers = livenessMembers;
	}

	@Override
	public void afterSingletonsInstantiated() {
		List<String> foreign = foreignMembers();
		if (!foreign.isEmpty()) {
			logger.warn("The liveness group includes " + foreign + ". When one of them fails, Kubernetes restarts "
					+ "pods that are healthy, and an outage of a dependency becomes a restart loop. Move them to "
					+ "readiness: management.endpoint.health.group.readiness.include=readinessState,"
					+ String.join(",", foreign) + ", and keep liveness to livenessState,deadlockedThreads.");
		}
	}

	/** Members of the liveness group that are not the process's own state. */
	List<String> foreignMembers() {
		return this.livenessMembers.get()
			.stream()
			.filter((name) -> !PROCESS_STATE.contains(name))
			.sorted()
			.toList();
	}

}
