package dev.lifecycle.autoconfigure.probes;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import dev.lifecycle.autoconfigure.LifecycleProperties;
import dev.lifecycle.probes.DeadlockedThreadsHealthIndicator;
import dev.lifecycle.probes.LivenessGroupAdvisor;
import dev.lifecycle.probes.ReadinessProbeRecord;
import dev.lifecycle.probes.StartupCheck;
import dev.lifecycle.probes.StartupStateHealthIndicator;

/**
 * The indicators behind the three probe groups. The groups themselves are Boot's health
 * groups, given defaults by {@link ProbeGroupsEnvironmentPostProcessor}.
 */
@AutoConfiguration(after = { HealthContributorRegistryAutoConfiguration.class, HealthEndpointAutoConfiguration.class,
		AvailabilityProbesAutoConfiguration.class })
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBooleanProperty(name = "lifecycle.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "lifecycle.probes.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "management.endpoint.health.probes.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LifecycleProperties.class)
public final class ProbesAutoConfiguration {

	/** Created by Spring as an auto-configuration. */
	public ProbesAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean(name = "startupStateHealthIndicator")
	StartupStateHealthIndicator startupStateHealthIndicator(ListableBeanFactory beanFactory) {
		return new StartupStateHealthIndicator(beanFactory.getBeansOfType(StartupCheck.class));
	}

	@Bean
	@ConditionalOnMissingBean(name = "deadlockedThreadsHealthIndicator")
	@ConditionalOnBooleanProperty(name = "lifecycle.probes.liveness.deadlock-check", matchIfMissing = true)
	DeadlockedThreadsHealthIndicator deadlockedThreadsHealthIndicator() {
		return new DeadlockedThreadsHealthIndicator();
	}

	@Bean
	@ConditionalOnMissingBean
	ReadinessProbeRecord readinessProbeRecord() {
		return new ReadinessProbeRecord();
	}

	@Bean
	@ConditionalOnBean({ HealthEndpointGroups.class, HealthContributorRegistry.class })
	LivenessGroupAdvisor lifecycleLivenessGroupAdvisor(HealthEndpointGroups groups,
			HealthContributorRegistry contributors) {
		return new LivenessGroupAdvisor(groups, contributors);
	}

}
