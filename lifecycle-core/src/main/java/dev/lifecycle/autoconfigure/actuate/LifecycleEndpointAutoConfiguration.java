package dev.lifecycle.autoconfigure.actuate;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.lifecycle.actuate.LifecycleEndpoint;
import dev.lifecycle.autoconfigure.shutdown.ShutdownAutoConfiguration;
import dev.lifecycle.autoconfigure.warmup.WarmupAutoConfiguration;
import dev.lifecycle.probes.StartupState;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.warmup.WarmupPhase;

/**
 * The read-only {@code lifecycle} endpoint, available when enabled and exposed like any
 * actuator endpoint: over the web only if listed in
 * {@code management.endpoints.web.exposure.include}.
 */
// The probes' auto-configuration is each Boot line's own, under the same name.
@AutoConfiguration(after = { ShutdownAutoConfiguration.class, WarmupAutoConfiguration.class },
		afterName = "dev.lifecycle.autoconfigure.probes.ProbesAutoConfiguration")
@ConditionalOnAvailableEndpoint(LifecycleEndpoint.class)
@ConditionalOnBean(ShutdownCoordinator.class)
public final class LifecycleEndpointAutoConfiguration {

	/** Created by Spring as an auto-configuration. */
	public LifecycleEndpointAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	LifecycleEndpoint lifecycleEndpoint(ShutdownCoordinator coordinator,
			ObjectProvider<StartupState> startup, ObjectProvider<WarmupPhase> warmup) {
		return new LifecycleEndpoint(coordinator, startup.getIfAvailable(), warmup.getIfAvailable());
	}

}
