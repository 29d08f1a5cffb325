package dev.lifecycle.autoconfigure.probes;

import java.util.List;
import java.util.stream.StreamSupport;

import org.springframework.boot.actuate.autoconfigure.availability.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthEndpointAutoConfiguration;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.boot.actuate.health.HealthEndpointGroup;
import org.springframework.boot.actuate.health.HealthEndpointGroups;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.NamedContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import dev.lifecycle.autoconfigure.LifecycleProperties;
import dev.lifecycle.autoconfigure.warmup.WarmupAutoConfiguration;
import dev.lifecycle.probes.DeadlockedThreads;
import dev.lifecycle.probes.HealthCheckIndicator;
import dev.lifecycle.probes.LivenessGroupAdvisor;
import dev.lifecycle.probes.ReadinessProbeRecord;
import dev.lifecycle.probes.ReadinessProbeRecording;
import dev.lifecycle.probes.StartupState;
import dev.lifecycle.warmup.WarmupPhase;

/**
 * The indicators behind the three probe groups, on Boot 3's health support. The groups
 * themselves are Boot's health groups, given defaults by {@link ProbeGroupDefaults}.
 */
@AutoConfiguration(after = { HealthEndpointAutoConfiguration.class, AvailabilityProbesAutoConfiguration.class,
		WarmupAutoConfiguration.class })
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBooleanProperty(name = "lifecycle.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "lifecycle.probes.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "management.endpoint.health.probes.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LifecycleProperties.class)
@Import(ProbeStatesConfiguration.class)
public final class ProbesAutoConfiguration {

	/** Created by Spring as an auto-configuration. */
	public ProbesAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean(name = "startupStateHealthIndicator")
	HealthCheckIndicator startupStateHealthIndicator(StartupState state) {
		return new HealthCheckIndicator(state);
	}

	@Bean
	@ConditionalOnMissingBean(name = "deadlockedThreadsHealthIndicator")
	@ConditionalOnBean(DeadlockedThreads.class)
	HealthCheckIndicator deadlockedThreadsHealthIndicator(DeadlockedThreads deadlockedThreads) {
		return new HealthCheckIndicator(deadlockedThreads);
	}

	@Bean
	@ConditionalOnMissingBean(name = "warmupHealthIndicator")
	@ConditionalOnBean(WarmupPhase.class)
	HealthCheckIndicator warmupHealthIndicator(WarmupPhase warmup) {
		return new HealthCheckIndicator(warmup);
	}

	@Bean
	ReadinessProbeRecording lifecycleReadinessProbeRecording(ReadinessProbeRecord record) {
		return new ReadinessProbeRecording(record);
	}

	@Bean
	@ConditionalOnBean({ HealthEndpointGroups.class, HealthContributorRegistry.class })
	LivenessGroupAdvisor lifecycleLivenessGroupAdvisor(HealthEndpointGroups groups,
			HealthContributorRegistry contributors) {
		return new LivenessGroupAdvisor(() -> livenessMembers(groups, contributors));
	}

	private static List<String> livenessMembers(HealthEndpointGroups groups, HealthContributorRegistry contributors) {
		HealthEndpointGroup liveness = groups.get("liveness");
		if (liveness == null) {
			return List.of();
		}
		return StreamSupport.stream(contributors.spliterator(), false)
			.map(NamedContributor::getName)
			.filter(liveness::isMember)
			.toList();
	}

}
