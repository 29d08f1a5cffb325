package dev.lifecycle.autoconfigure;

import java.util.function.BooleanSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.aot.AotDetector;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import dev.lifecycle.probes.StartupState;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.warmup.WarmupPhase;

/**
 * Warns when an AOT-processed application runs with a starter switch that contradicts the
 * one it was built with. Spring AOT fixes the auto-configuration conditions when
 * {@code process-aot} runs, so such a switch changes nothing at run time, silently.
 * Registered in {@code spring.factories}: it must run whatever those conditions decided.
 */
public final class AotBuildConditionsAdvisor implements ApplicationListener<ApplicationStartedEvent> {

	private static final Log logger = LogFactory.getLog(AotBuildConditionsAdvisor.class);

	private final BooleanSupplier aotMode;

	/** Created by Spring Boot from {@code META-INF/spring.factories}. */
	public AotBuildConditionsAdvisor() {
		this(AotDetector::useGeneratedArtifacts);
	}

	AotBuildConditionsAdvisor(BooleanSupplier aotMode) {
		this.aotMode = aotMode;
	}

	@Override
	public void onApplicationEvent(ApplicationStartedEvent event) {
		ConfigurableApplicationContext context = event.getApplicationContext();
		if (!this.aotMode.getAsBoolean() || context.getParent() != null) {
			return;
		}
		Environment environment = context.getEnvironment();
		boolean enabled = switchedOn(environment, "lifecycle.enabled", true);
		boolean shutdownBuiltIn = builtIn(context, ShutdownCoordinator.class);
		// Without a web server there is no shutdown sequence to build, whatever the switch says.
		if (shutdownBuiltIn && !enabled) {
			warn("shutdown sequence", "lifecycle.enabled", false, true);
		}
		boolean probes = enabled && switchedOn(environment, "lifecycle.probes.enabled", true)
				&& switchedOn(environment, "management.endpoint.health.probes.enabled", true);
		boolean probesBuiltIn = builtIn(context, StartupState.class);
		if (probes != probesBuiltIn) {
			warn("probes", "lifecycle.enabled, lifecycle.probes.enabled, management.endpoint.health.probes.enabled",
					probes, probesBuiltIn);
		}
		boolean warmup = enabled && switchedOn(environment, "lifecycle.warmup.enabled", false);
		boolean warmupBuiltIn = builtIn(context, WarmupPhase.class);
		if (shutdownBuiltIn && warmup != warmupBuiltIn) {
			warn("warm-up", "lifecycle.enabled, lifecycle.warmup.enabled", warmup, warmupBuiltIn);
		}
	}

	private static void warn(String feature, String properties, boolean atRunTime, boolean atBuildTime) {
		logger.warn("The starter's " + feature + ": " + onOff(atRunTime) + " at run time (" + properties + "), "
				+ onOff(atBuildTime) + " when this application was AOT-processed. Spring AOT fixes the starter's "
				+ "conditions at build time, so the application runs as built, with the " + feature + " "
				+ onOff(atBuildTime) + ". Set those properties where spring-boot:process-aot runs and build again, "
				+ "or run without -Dspring.aot.enabled=true.");
	}

	private static String onOff(boolean on) {
		return on ? "on" : "off";
	}

	private static boolean switchedOn(Environment environment, String property, boolean defaultValue) {
		return environment.getProperty(property, Boolean.class, defaultValue);
	}

	private static boolean builtIn(ConfigurableApplicationContext context, Class<?> type) {
		return context.getBeanNamesForType(type, false, false).length > 0;
	}

}
