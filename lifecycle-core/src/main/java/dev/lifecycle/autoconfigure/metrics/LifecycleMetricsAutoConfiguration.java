package dev.lifecycle.autoconfigure.metrics;

import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.lifecycle.autoconfigure.shutdown.ShutdownAutoConfiguration;
import dev.lifecycle.autoconfigure.warmup.WarmupAutoConfiguration;
import dev.lifecycle.metrics.LifecycleMetrics;
import dev.lifecycle.probes.StartupState;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.warmup.WarmupPhase;

/**
 * Binds the {@code lifecycle.*} meters; Boot applies every {@link MeterBinder} bean to its
 * registries.
 */
// The probes' auto-configuration is each Boot line's own, under the same name.
@AutoConfiguration(after = { ShutdownAutoConfiguration.class, WarmupAutoConfiguration.class },
		afterName = "dev.lifecycle.autoconfigure.probes.ProbesAutoConfiguration")
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(ShutdownCoordinator.class)
public final class LifecycleMetricsAutoConfiguration {

	/** Created by Spring as an auto-configuration. */
	public LifecycleMetricsAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	LifecycleMetrics lifecycleMetrics(ShutdownCoordinator coordinator,
			ObjectProvider<StartupState> startup, ObjectProvider<WarmupPhase> warmup) {
		return new LifecycleMetrics(coordinator, startup.getIfAvailable(), warmup.getIfAvailable());
	}

}
