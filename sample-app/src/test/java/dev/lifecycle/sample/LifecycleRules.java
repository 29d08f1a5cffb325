package dev.lifecycle.sample;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** The Prometheus rule file of {@code k8s/monitoring/}, read as the tests need it. */
record LifecycleRules(JsonNode groups) {

	static final Path DIRECTORY = ExternalCommand.REPOSITORY.resolve("k8s/monitoring");

	static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

	static LifecycleRules read() throws IOException {
		return new LifecycleRules(readYaml("lifecycle-rules.yaml").get("groups"));
	}

	static JsonNode readYaml(String file) throws IOException {
		return YAML.readTree(DIRECTORY.resolve(file).toFile());
	}

	List<JsonNode> rules() {
		List<JsonNode> rules = new ArrayList<>();
		this.groups.forEach((group) -> group.get("rules").forEach(rules::add));
		return rules;
	}

	List<JsonNode> alerts() {
		return rules().stream().filter((rule) -> rule.has("alert")).toList();
	}

	List<String> recordingRuleNames() {
		return rules().stream().filter((rule) -> rule.has("record")).map((rule) -> rule.get("record").asText()).toList();
	}

}
