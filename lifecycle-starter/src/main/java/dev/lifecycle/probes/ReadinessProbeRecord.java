package dev.lifecycle.probes;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.core.Ordered;

/**
 * Remembers what the readiness probe answered over HTTP ({@code /readyz} or
 * {@code /actuator/health/readiness}): the kubelet puts a pod in the endpoints only once
 * that answer passed, so it is the truth about whether a load balancer may route here,
 * whatever the readiness group holds and however start-up went.
 */
public final class ReadinessProbeRecord implements HealthEndpointGroupsPostProcessor, Ordered {

	static final String GROUP = "readiness";

	/** What the readiness probe said during the life of this application. */
	public enum Verdict {

		/** Nobody asked: no readiness probe, or none yet. */
		NEVER_ASKED,

		/** Asked, and it never passed: the pod was never in the endpoints. */
		NEVER_PASSED,

		/** It passed at least once. */
		PASSED

	}

	private volatile boolean asked;

	private volatile boolean passed;

	/** Creates a record of a probe nobody has asked yet. */
	public ReadinessProbeRecord() {
	}

	/** {@return what the readiness probe said so far} */
	public Verdict verdict() {
		return this.passed ? Verdict.PASSED : (this.asked ? Verdict.NEVER_PASSED : Verdict.NEVER_ASKED);
	}

	/** Records an answer with the HTTP status the probe got; 2xx and 3xx pass, as for the kubelet. */
	void answered(int statusCode) {
		this.asked = true;
		if (statusCode >= 200 && statusCode < 400) {
			this.passed = true;
		}
	}

	@Override
	public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
		HealthEndpointGroup readiness = groups.get(GROUP);
		if (readiness == null) {
			return groups;
		}
		Map<String, HealthEndpointGroup> named = new LinkedHashMap<>();
		groups.getNames().forEach((name) -> named.put(name, groups.get(name)));
		named.put(GROUP, new RecordingGroup(readiness));
		return HealthEndpointGroups.of(groups.getPrimary(), named);
	}

	@Override
	public int getOrder() {
		// After Boot's availability probes post-processor, which may add the readiness group.
		return Ordered.LOWEST_PRECEDENCE;
	}

	/** The readiness group as it was, except that each HTTP status it maps is recorded. */
	private final class RecordingGroup implements HealthEndpointGroup {

		private final HealthEndpointGroup group;

		RecordingGroup(HealthEndpointGroup group) {
			this.group = group;
		}

		@Override
		public HttpCodeStatusMapper getHttpCodeStatusMapper() {
			HttpCodeStatusMapper mapper = this.group.getHttpCodeStatusMapper();
			return (status) -> {
				int statusCode = mapper.getStatusCode(status);
				answered(statusCode);
				return statusCode;
			};
		}

		@Override
		public boolean isMember(String name) {
			return this.group.isMember(name);
		}

		@Override
		public boolean showComponents(SecurityContext securityContext) {
			return this.group.showComponents(securityContext);
		}

		@Override
		public boolean showDetails(SecurityContext securityContext) {
			return this.group.showDetails(securityContext);
		}

		@Override
		public StatusAggregator getStatusAggregator() {
			return this.group.getStatusAggregator();
		}

		@Override
		public AdditionalHealthEndpointPath getAdditionalPath() {
			return this.group.getAdditionalPath();
		}

	}

}
