package dev.lifecycle.probes;

import java.util.List;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.contributor.HealthContributors;

/**
 * Warns once at start-up when the liveness group holds more than the process's own state.
 * A database or downstream service in liveness turns its outage into restarts of healthy
 * pods, which makes the outage worse.
 */
public final class LivenessGroupAdvisor implements SmartInitializingSingleton {

	/** What liveness may contain: the process's own ability to make progress. */
	static final Set<String> PROCESS_STATE = Set.of("livenessState", "deadlockedThreads", "ping");

	private static final Log logger = LogFactory.getLog(LivenessGroupAdvisor.class);

	private final HealthEndpointGroups groups;

	private final HealthContributors contributors;

	/**
	 * Creates the advisor.
	 *
	 * @param groups the health groups, liveness among them
	 * @param contributors the health contributors the groups' members name
	 */
	public LivenessGroupAdvisor(HealthEndpointGroups groups, HealthContributors contributors) {
		this.groups = groups;
		this.contributors = contributors;
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
		HealthEndpointGroup liveness = this.groups.get("liveness");
		if (liveness == null) {
			return List.of();
		}
		return this.contributors.stream()
			.map(HealthContributors.Entry::name)
			.filter(liveness::isMember)
			.filter((name) -> !PROCESS_STATE.contains(name))
			.sorted()
			.toList();
	}

}
