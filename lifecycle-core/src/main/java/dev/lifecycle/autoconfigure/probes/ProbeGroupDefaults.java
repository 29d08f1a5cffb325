package dev.lifecycle.autoconfigure.probes;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.commons.logging.Log;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

/**
 * Gives Boot's health groups the three probes as defaults, in a property source of the
 * lowest precedence so that any Boot property the user sets still wins:
 * {@code liveness}, {@code readiness} and {@code startup}, each with its own members, no
 * details or components, and a path on the main port ({@code /livez}, {@code /readyz},
 * {@code /startupz}). With Boot's gRPC server, the gRPC health services of the same names
 * ({@code spring.grpc.server.health.service.*}) get the same members as the groups. Each
 * Boot line's starter applies them from its own {@code EnvironmentPostProcessor}, an
 * interface Boot 4 moved.
 */
public final class ProbeGroupDefaults {

	/** The name of the property source that holds the defaults. */
	public static final String PROPERTY_SOURCE_NAME = "lifecycleProbeDefaults";

	private static final String GROUP = "management.endpoint.health.group.";

	private static final String GRPC_SERVICE = "spring.grpc.server.health.service.";

	private static final String GRPC_SERVER_HEALTH = "org.springframework.boot.grpc.server.health.GrpcServerHealth";

	private ProbeGroupDefaults() {
	}

	/**
	 * Adds the defaults to the environment, unless the probes are off.
	 *
	 * @param environment the application's environment, with the user's files read
	 * @param logger where a warning goes when Boot's probes are turned off
	 */
	public static void apply(ConfigurableEnvironment environment, Log logger) {
		apply(environment, logger, Map.of());
	}

	/**
	 * Adds the defaults to the environment, with those a Boot line needs on top, unless the
	 * probes are off.
	 *
	 * @param environment the application's environment, with the user's files read
	 * @param logger where a warning goes when Boot's probes are turned off
	 * @param lineDefaults further defaults of the same low precedence
	 */
	public static void apply(ConfigurableEnvironment environment, Log logger, Map<String, Object> lineDefaults) {
		if (!enabled(environment, "lifecycle.enabled") || !enabled(environment, "lifecycle.probes.enabled")) {
			return;
		}
		if (!enabled(environment, "management.endpoint.health.probes.enabled")) {
			logger.warn("management.endpoint.health.probes.enabled=false turns off Boot's liveness and readiness "
					+ "state indicators, so the starter's probes (/livez, /readyz, /startupz) are off too and the "
					+ "kubelet has nothing honest to ask. Remove that property, or set lifecycle.probes.enabled=false "
					+ "to say that you do not want the probes.");
			return;
		}
		boolean deadlockCheck = enabled(environment, "lifecycle.probes.liveness.deadlock-check");
		Map<String, Object> defaults = new LinkedHashMap<>(lineDefaults);
		probe(defaults, "liveness", deadlockCheck ? "livenessState,deadlockedThreads" : "livenessState", "/livez");
		// The warm-up holds readiness through its indicator until it ends.
		boolean warmup = Binder.get(environment).bind("lifecycle.warmup.enabled", Boolean.class).orElse(false);
		probe(defaults, "readiness", warmup ? "readinessState,warmup" : "readinessState", "/readyz");
		probe(defaults, "startup", "startupState", "/startupz");
		environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE_NAME, defaults));
		if (ClassUtils.isPresent(GRPC_SERVER_HEALTH, ProbeGroupDefaults.class.getClassLoader())) {
			// Read back through the environment: a group the user changed is what the service follows.
			for (String group : new String[] { "liveness", "readiness", "startup" }) {
				Binder.get(environment)
					.bind(GROUP + group + ".include", Bindable.setOf(String.class))
					.ifBound((members) -> defaults.put(GRPC_SERVICE + group + ".include", String.join(",", members)));
			}
		}
	}

	private static void probe(Map<String, Object> defaults, String group, String members, String path) {
		defaults.put(GROUP + group + ".include", members);
		// A probe answers with its status only, whatever the health endpoint shows.
		defaults.put(GROUP + group + ".show-details", "never");
		defaults.put(GROUP + group + ".show-components", "never");
		defaults.put(GROUP + group + ".additional-path", "server:" + path);
	}

	private static boolean enabled(ConfigurableEnvironment environment, String property) {
		return Binder.get(environment).bind(property, Boolean.class).orElse(true);
	}

}
