package dev.lifecycle.autoconfigure.probes;

import java.util.Map;

import org.apache.commons.logging.Log;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.ClassUtils;

/** Applies the {@link ProbeGroupDefaults} on Boot 3, when its health support is present. */
public final class ProbeGroupsEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	private final Log logger;

	/**
	 * Created by Boot, which passes the logger factory.
	 *
	 * @param logFactory the factory of loggers whose output Boot replays once logging is set up
	 */
	public ProbeGroupsEnvironmentPostProcessor(DeferredLogFactory logFactory) {
		this.logger = logFactory.getLog(ProbeGroupsEnvironmentPostProcessor.class);
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (ClassUtils.isPresent("org.springframework.boot.actuate.health.HealthIndicator",
				getClass().getClassLoader())) {
			// Boot 3 has the liveness and readiness state indicators only on Kubernetes unless
			// asked; the probe groups need them everywhere, as on Boot 4.
			ProbeGroupDefaults.apply(environment, this.logger, Map.of("management.endpoint.health.probes.enabled", "true"));
		}
	}

	@Override
	public int getOrder() {
		// After the config data post-processor, so the user's files are visible.
		return Ordered.LOWEST_PRECEDENCE;
	}

}
