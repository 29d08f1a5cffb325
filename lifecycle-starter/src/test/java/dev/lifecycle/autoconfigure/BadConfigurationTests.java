package dev.lifecycle.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every {@code lifecycle.*} property with a value of the wrong type, negative, zero or
 * absurd, and the Boot properties that conflict with the starter: each stops a real
 * application at start-up, and the report Boot prints names the property and says what
 * to change. The table in docs/properties.md ("Start-up checks") lists the same cases.
 */
@ExtendWith(OutputCaptureExtension.class)
class BadConfigurationTests {

	static Stream<Arguments> badConfigurations() {
		return Stream.of(
				// Switches: a typo must not silently turn something off.
				bad("lifecycle.enabled=yes please", "lifecycle.enabled", "Invalid boolean value"),
				bad("lifecycle.shutdown.connection-close=sometimes", "lifecycle.shutdown.connection-close",
						"Invalid boolean value"),
				bad("lifecycle.probes.enabled=on-weekdays", "lifecycle.probes.enabled", "Invalid boolean value"),
				bad("lifecycle.probes.liveness.deadlock-check=maybe", "lifecycle.probes.liveness.deadlock-check",
						"Invalid boolean value"),
				bad("lifecycle.warmup.enabled=maybe", "lifecycle.warmup.enabled", "Invalid boolean value"),
				// The grace period.
				bad("lifecycle.termination-grace-period=half a minute", "lifecycle.termination-grace-period",
						"Failed to bind"),
				bad("lifecycle.termination-grace-period=0", "lifecycle.termination-grace-period (0s",
						"must be longer than zero", "terminationGracePeriodSeconds"),
				bad("lifecycle.termination-grace-period=-30", "lifecycle.termination-grace-period (-30s",
						"must be longer than zero"),
				bad("lifecycle.termination-grace-period=2", "leave no time to drain", "Lower lifecycle.shutdown.delay"),
				// The delay.
				bad("lifecycle.shutdown.delay=five seconds", "lifecycle.shutdown.delay", "Failed to bind"),
				bad("lifecycle.shutdown.delay=-1s", "lifecycle.shutdown.delay (-1s", "cannot be negative",
						"Set lifecycle.shutdown.delay to 0"),
				bad("lifecycle.shutdown.delay=1h", "lifecycle.shutdown.delay (3600s", "leave no time to drain"),
				// The quiet period.
				bad("lifecycle.shutdown.quiet-period=a moment", "lifecycle.shutdown.quiet-period", "Failed to bind"),
				bad("lifecycle.shutdown.quiet-period=0s", "lifecycle.shutdown.quiet-period (0s",
						"must be longer than zero"),
				bad("lifecycle.shutdown.quiet-period=-500ms", "lifecycle.shutdown.quiet-period (-500ms",
						"must be longer than zero"),
				// The floor of the quiet period.
				bad("lifecycle.shutdown.min-delay=soon", "lifecycle.shutdown.min-delay", "Failed to bind"),
				bad("lifecycle.shutdown.min-delay=-1s", "lifecycle.shutdown.min-delay (-1s", "cannot be negative",
						"3s is typical"),
				bad(new String[] { "lifecycle.shutdown.delay=5s", "lifecycle.shutdown.quiet-period=1s",
						"lifecycle.shutdown.min-delay=8s" }, "lifecycle.shutdown.min-delay (8s", "exceeds lifecycle.shutdown.delay (5s",
						"Lower lifecycle.shutdown.min-delay to 5s or less"),
				bad(new String[] { "lifecycle.shutdown.delay=5s", "lifecycle.shutdown.quiet-period=5s" },
						"lifecycle.shutdown.quiet-period (5s", "could never end the delay early",
						"Lower lifecycle.shutdown.quiet-period"),
				// The drain timeout.
				bad("lifecycle.shutdown.drain-timeout=forever", "lifecycle.shutdown.drain-timeout", "Failed to bind"),
				bad("lifecycle.shutdown.drain-timeout=0s", "lifecycle.shutdown.drain-timeout (0s",
						"must be longer than zero"),
				bad("lifecycle.shutdown.drain-timeout=-5s", "lifecycle.shutdown.drain-timeout (-5s",
						"must be longer than zero"),
				bad("lifecycle.shutdown.drain-timeout=1000d", "exceeds lifecycle.termination-grace-period",
						"Lower lifecycle.shutdown.drain-timeout to 28s or less"),
				// The margin.
				bad("lifecycle.shutdown.margin=a bit", "lifecycle.shutdown.margin", "Failed to bind"),
				bad("lifecycle.shutdown.margin=-2s", "lifecycle.shutdown.margin (-2s", "cannot be negative"),
				bad("lifecycle.shutdown.margin=1h", "lifecycle.shutdown.margin (3600s", "leave no time to drain"),
				// The warm-up.
				bad(warmup("lifecycle.warmup.paths=hello"), "lifecycle.warmup.paths[0] (hello)", "such as /hello"),
				bad(warmup("lifecycle.warmup.paths=POST /orders"), "lifecycle.warmup.paths[0] (POST /orders)",
						"GET or HEAD requests only"),
				bad(new String[] { "lifecycle.warmup.enabled=true" }, "there is nothing to warm up"),
				bad(warmup("lifecycle.warmup.iterations=lots"), "lifecycle.warmup.iterations", "Failed to bind"),
				bad(warmup("lifecycle.warmup.iterations=0"), "lifecycle.warmup.iterations (0) must be at least 1"),
				bad(warmup("lifecycle.warmup.iterations=-10"), "lifecycle.warmup.iterations (-10) must be at least 1"),
				bad(warmup("lifecycle.warmup.iterations=99999999999"), "lifecycle.warmup.iterations", "Failed to bind"),
				bad(warmup("lifecycle.warmup.concurrency=two"), "lifecycle.warmup.concurrency", "Failed to bind"),
				bad(warmup("lifecycle.warmup.concurrency=0"), "lifecycle.warmup.concurrency (0) must be at least 1"),
				bad(warmup("lifecycle.warmup.timeout=a while"), "lifecycle.warmup.timeout", "Failed to bind"),
				bad(warmup("lifecycle.warmup.timeout=0s"), "lifecycle.warmup.timeout (PT0S) must be longer than zero"),
				bad(warmup("lifecycle.warmup.timeout=-1s"), "lifecycle.warmup.timeout (PT-1S) must be longer than zero"),
				bad(warmup("lifecycle.warmup.until=forever"), "lifecycle.warmup.until", "Failed to bind"),
				bad(warmup("lifecycle.warmup.settle-window=a while"), "lifecycle.warmup.settle-window", "Failed to bind"),
				bad(warmup("lifecycle.warmup.settle-window=0s"), "lifecycle.warmup.settle-window (PT0S) must be 1ms or longer",
						"such as 3s"),
				bad(warmup("lifecycle.warmup.settle-window=-2s"), "lifecycle.warmup.settle-window (PT-2S) must be 1ms or longer"),
				bad(new String[] { "lifecycle.warmup.enabled=true", "lifecycle.warmup.paths=/",
						"lifecycle.warmup.settle-window=20s", "lifecycle.warmup.timeout=10s" },
						"lifecycle.warmup.settle-window (PT20S) is not shorter than lifecycle.warmup.timeout (PT10S)",
						"the JIT could never be seen to settle", "Shorten lifecycle.warmup.settle-window"),
				bad(warmup("lifecycle.warmup.settle-threshold=0ms"),
						"lifecycle.warmup.settle-threshold (PT0S) must be 1ms or more", "whole milliseconds"),
				bad(warmup("lifecycle.warmup.settle-threshold=500us"),
						"lifecycle.warmup.settle-threshold (PT0.0005S) must be 1ms or more"),
				// Boot properties that defeat the starter.
				bad("server.shutdown=immediate", "server.shutdown=immediate", "lifecycle.enabled=false"),
				bad("spring.lifecycle.timeout-per-shutdown-phase=1h", "spring.lifecycle.timeout-per-shutdown-phase (3600s",
						"a shutdown phase could outlast the pod", "lower it to 28s or less"),
				bad("spring.lifecycle.timeout-per-shutdown-phase=0s",
						"spring.lifecycle.timeout-per-shutdown-phase (0s", "must be longer than zero"),
				// Boot's waits for background tasks: past the deadline only Kubernetes could cut them.
				bad("spring.task.execution.shutdown.await-termination-period=40s",
						"spring.task.execution.shutdown.await-termination-period (40s",
						"exceeds the 28s that lifecycle.termination-grace-period (30s, default) leaves",
						"Lower spring.task.execution.shutdown.await-termination-period to 28s or less"),
				bad("spring.task.scheduling.shutdown.await-termination-period=1m",
						"spring.task.scheduling.shutdown.await-termination-period (60s",
						"Lower spring.task.scheduling.shutdown.await-termination-period to 28s or less"),
				bad(new String[] { "lifecycle.termination-grace-period=10s",
						"spring.task.scheduling.shutdown.await-termination-period=9s" },
						"spring.task.scheduling.shutdown.await-termination-period (9s",
						"exceeds the 8s that lifecycle.termination-grace-period (10s"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badConfigurations")
	void startupFailsNamingThePropertyAndTheFix(String properties, List<String> args, List<String> expected,
			CapturedOutput output) {
		List<String> all = new ArrayList<>(List.of("--server.port=0", "--spring.main.banner-mode=off"));
		all.addAll(args);
		Throwable failure = catchThrowable(() -> start(all));
		assertThat(failure).as("start-up with " + properties).isNotNull();
		assertThat(output).contains("APPLICATION FAILED TO START").contains(expected);
	}

	@Test
	void turningBootsProbesOffWarnsThatTheStartersProbesAreOffToo(CapturedOutput output) {
		try (ConfigurableApplicationContext context = start(
				List.of("--server.port=0", "--management.endpoint.health.probes.enabled=false"))) {
			assertThat(output).contains("management.endpoint.health.probes.enabled=false",
					"lifecycle.probes.enabled=false");
		}
	}

	private static ConfigurableApplicationContext start(List<String> args) {
		return new SpringApplication(MinimalApplication.class).run(args.toArray(String[]::new));
	}

	/** Turns the warm-up on with something to do, unless the property names the paths. */
	private static String[] warmup(String property) {
		return property.startsWith("lifecycle.warmup.paths=")
				? new String[] { "lifecycle.warmup.enabled=true", property }
				: new String[] { "lifecycle.warmup.enabled=true", "lifecycle.warmup.paths=/", property };
	}

	private static Arguments bad(String property, String... expected) {
		return bad(new String[] { property }, expected);
	}

	private static Arguments bad(String[] properties, String... expected) {
		List<String> args = Stream.of(properties).map((property) -> "--" + property).toList();
		return arguments(String.join(" ", properties), args, List.of(expected));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class MinimalApplication {

	}

}
