package dev.lifecycle.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The IDE help generated from the properties' javadoc: every property documented. */
class ConfigurationMetadataTests {

	@Test
	void everyLifecyclePropertyHasADescription() throws IOException {
		List<Map<String, Object>> properties = properties();
		assertThat(properties).extracting((property) -> property.get("name"))
			.contains("lifecycle.enabled", "lifecycle.termination-grace-period", "lifecycle.shutdown.delay",
					"lifecycle.shutdown.quiet-period", "lifecycle.shutdown.drain-timeout", "lifecycle.shutdown.margin",
					"lifecycle.shutdown.connection-close", "lifecycle.probes.enabled",
					"lifecycle.probes.liveness.deadlock-check", "lifecycle.warmup.until", "lifecycle.warmup.iterations",
					"lifecycle.warmup.settle-window", "lifecycle.warmup.settle-threshold");
		assertThat(properties).allSatisfy((property) -> assertThat((String) property.get("description"))
			.as("description of %s", property.get("name"))
			.isNotBlank());
	}

	@Test
	void defaultsAreVisibleWhereTheyAreFixed() throws IOException {
		Map<Object, Object> defaults = new HashMap<>();
		properties().forEach((property) -> defaults.put(property.get("name"), property.get("defaultValue")));
		assertThat(defaults).containsEntry("lifecycle.enabled", true)
			.containsEntry("lifecycle.termination-grace-period", "30s")
			.containsEntry("lifecycle.shutdown.margin", "2s")
			.containsEntry("lifecycle.shutdown.connection-close", true)
			.containsEntry("lifecycle.warmup.until", "jit-settled")
			.containsEntry("lifecycle.warmup.iterations", 50000)
			.containsEntry("lifecycle.warmup.settle-window", "3s")
			.containsEntry("lifecycle.warmup.settle-threshold", "300ms");
	}

	private static List<Map<String, Object>> properties() throws IOException {
		try (InputStream metadata = ConfigurationMetadataTests.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(metadata).as("generated metadata").isNotNull();
			List<Map<String, Object>> properties = JsonPath.parse(metadata).read("$.properties[?(@.name =~ /lifecycle\\..*/)]");
			return properties;
		}
	}

}
