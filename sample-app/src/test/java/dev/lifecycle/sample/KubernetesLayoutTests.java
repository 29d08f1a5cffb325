package dev.lifecycle.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layout of {@code k8s/}: one base declares the objects, one overlay per sample patches
 * them, and every kustomization renders.
 */
class KubernetesLayoutTests {

	private static final Path K8S = ExternalCommand.REPOSITORY.resolve("k8s");

	private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

	@Test
	void eachKindIsDeclaredInOneFileAndTheOverlaysOnlyPatchIt() throws IOException {
		Map<String, List<String>> declaringFiles = new TreeMap<>();
		for (Path kustomization : kustomizations()) {
			for (JsonNode resource : YAML.readTree(kustomization.toFile()).path("resources")) {
				// A directory is a base: its own kustomization declares what is in it.
				Path file = kustomization.resolveSibling(resource.asText()).normalize();
				if (Files.isRegularFile(file)) {
					for (JsonNode document : YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile()).readAll()) {
						declaringFiles.computeIfAbsent(document.get("kind").asText(), (kind) -> new ArrayList<>())
							.add(ExternalCommand.REPOSITORY.relativize(file).toString());
					}
				}
			}
		}
		assertThat(declaringFiles).as("kinds declared as a resource of a kustomization under k8s/").isNotEmpty();
		assertThat(declaringFiles).allSatisfy((kind, files) -> assertThat(files)
			.as("%s written more than once: declare it in k8s/base, patch it in the overlays", kind)
			.hasSize(1));
	}

	@Test
	void everyKustomizationRenders() throws Exception {
		ExternalCommand.assumeInstalled("kubectl");
		for (Path kustomization : kustomizations()) {
			String directory = ExternalCommand.REPOSITORY.relativize(kustomization.getParent()).toString();
			ExternalCommand rendered = ExternalCommand.run("kubectl", "kustomize", directory);
			assertThat(rendered.exitCode()).as("kubectl kustomize %s%n%s", directory, rendered.output()).isZero();
		}
	}

	@Test
	void applyingK8sStillDeploysTheHttpSample() throws Exception {
		ExternalCommand.assumeInstalled("kubectl");
		ExternalCommand root = ExternalCommand.run("kubectl", "kustomize", "k8s");
		ExternalCommand http = ExternalCommand.run("kubectl", "kustomize", "k8s/overlays/http");
		assertThat(http.exitCode()).as(http.output()).isZero();
		assertThat(root.output()).as("kubectl kustomize k8s").isEqualTo(http.output());
	}

	private static List<Path> kustomizations() throws IOException {
		try (Stream<Path> files = Files.walk(K8S)) {
			return files.filter((file) -> file.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
		}
	}

}
