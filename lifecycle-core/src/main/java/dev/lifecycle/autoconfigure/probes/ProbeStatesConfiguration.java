package dev.lifecycle.autoconfigure.probes;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.lifecycle.probes.DeadlockedThreads;
import dev.lifecycle.probes.ReadinessProbeRecord;
import dev.lifecycle.probes.StartupCheck;
import dev.lifecycle.probes.StartupState;
import dev.lifecycle.probes.web.HealthPathsMappingShortcut;

/**
 * The states behind the probes, the same on every Boot line. Each line's
 * {@code ProbesAutoConfiguration} imports them and shows them to Boot's health groups.
 */
@Configuration(proxyBeanMethods = false)
public class ProbeStatesConfiguration {

	/** Created by Spring, imported by a Boot line's probes auto-configuration. */
	public ProbeStatesConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	StartupState lifecycleStartupState(ListableBeanFactory beanFactory) {
		return new StartupState(beanFactory.getBeansOfType(StartupCheck.class));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "lifecycle.probes.liveness.deadlock-check", matchIfMissing = true)
	DeadlockedThreads lifecycleDeadlockedThreads() {
		return new DeadlockedThreads();
	}

	@Bean
	@ConditionalOnMissingBean
	ReadinessProbeRecord readinessProbeRecord() {
		return new ReadinessProbeRecord();
	}

	@Bean
	static HealthPathsMappingShortcut lifecycleHealthPathsMappingShortcut() {
		return new HealthPathsMappingShortcut();
	}

}
