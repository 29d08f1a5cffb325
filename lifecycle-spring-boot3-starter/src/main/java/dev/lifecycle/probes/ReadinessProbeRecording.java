package dev.lifecycle.probes;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.health.AdditionalHealthEndpointPath;
import org.springframework.boot.actuate.health.HealthEndpointGroup;
import org.springframework.boot.actuate.health.HealthEndpointGroups;
import org.springframework.boot.actuate.health.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.actuate.health.HttpCodeStatusMapper;
import org.springframework.boot.actuate.health.StatusAggregator;
import org.springframework.core.Ordered;

/**
 * Feeds the {@link ReadinessProbeRecord} with each HTTP status that Boot 3's readiness
 * group maps, so the record knows what the kubelet was answered.
 */
public final class ReadinessProbeRecording implements HealthEndpointGroupsPostProcessor, Ordered {

	private final ReadinessProbeRecord record;

	/**
	 * Creates the post-processor.
	 *
	 * @param record the record to feed
	 */
	public ReadinessProbeRecording(ReadinessProbeRecord record) {
		this.record = record;
	}

	@Override
	public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
		HealthEndpointGroup readiness = groups.get(ReadinessProbeRecord.GROUP);
		if (readiness == null) {
			return groups;
		}
		Map<String, HealthEndpointGroup> named = new LinkedHashMap<>();
		groups.getNames().forEach((name) -> named.put(name, groups.get(name)));
		named.put(ReadinessProbeRecord.GROUP, new RecordingGroup(readiness));
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
				ReadinessProbeRecording.this.record.answered(statusCode);
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
