package dev.lifecycle.sample;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.lifecycle.autoconfigure.LifecycleProperties;
import dev.lifecycle.shutdown.ShutdownBudget;

import dev.lifecycle.sample.support.SampleProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Renders {@code k8s/overlays/http} with {@code kubectl kustomize}, reads it with the fabric8
 * Kubernetes model, and checks what keeps a rollout lossless.
 */
class KubernetesManifestsTests {

	private static final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

	private static Deployment deployment;

	private static Service service;

	private static PodDisruptionBudget disruptionBudget;

	@BeforeAll
	static void render() throws Exception {
		ExternalCommand.assumeInstalled("kubectl");
		ExternalCommand rendered = ExternalCommand.run("kubectl", "kustomize", "k8s/overlays/http");
		assertThat(rendered.exitCode()).as(rendered.output()).isZero();
		List<JsonNode> documents = yaml.readerFor(JsonNode.class).<JsonNode>readValues(rendered.output()).readAll();
		assertThat(documents).extracting((document) -> document.get("kind").asText())
			.containsExactlyInAnyOrder("Deployment", "Service", "PodDisruptionBudget");
		for (JsonNode document : documents) {
			switch (document.get("kind").asText()) {
				case "Deployment" -> deployment = read(document, Deployment.class);
				case "Service" -> service = read(document, Service.class);
				default -> disruptionBudget = read(document, PodDisruptionBudget.class);
			}
		}
	}

	@Test
	void unknownFieldsAreCaughtNotIgnored() throws Exception {
		JsonNode typo = yaml.readTree("""
				apiVersion: apps/v1
				kind: Deployment
				spec:
				  template:
				    spec:
				      containers:
				      - name: app
				        readinesProbe: {}
				""");
		assertThat(unknownFields(yaml.treeToValue(typo, Deployment.class), "Deployment"))
			.containsExactly("Deployment.spec.template.spec.containers[0]: readinesProbe");
	}

	@Test
	void everyProbeHasTimeoutsAndReadinessReactsFasterThanLiveness() {
		Container app = app();
		for (Probe probe : List.of(app.getStartupProbe(), app.getLivenessProbe(), app.getReadinessProbe())) {
			assertThat(probe).as("startup, liveness and readiness probes").isNotNull();
			assertThat(probe.getTimeoutSeconds()).isPositive();
			assertThat(probe.getPeriodSeconds()).isPositive();
		}
		assertThat(window(app.getReadinessProbe())).as("seconds to leave the rotation vs to be restarted")
			.isLessThan(window(app.getLivenessProbe()));
		assertThat(window(app.getStartupProbe())).as("seconds a start may take").isGreaterThanOrEqualTo(60);
	}

	@Test
	void probePathsAnswerOnTheirPortsInTheSampleApp() throws Exception {
		Container app = app();
		try (ConfigurableApplicationContext context = new SpringApplication(SampleApplication.class)
			.run("--server.port=0", "--management.server.port=0")) {
			Map<String, Integer> ports = Map.of("http", ((WebServerApplicationContext) context).getWebServer().getPort(),
					"management", context.getEnvironment().getRequiredProperty("local.management.port", Integer.class));
			assertThat(app.getPorts()).extracting((port) -> port.getName()).containsExactlyInAnyOrderElementsOf(ports.keySet());
			// The startup probe must outlast start-up plus the whole warm-up budget.
			Duration warmupBudget = context.getBean(LifecycleProperties.class).getWarmup().getTimeout();
			assertThat(Duration.ofSeconds(window(app.getStartupProbe()))).isGreaterThan(warmupBudget.plusSeconds(30));
			HttpClient client = HttpClient.newHttpClient();
			for (Probe probe : List.of(app.getStartupProbe(), app.getLivenessProbe(), app.getReadinessProbe())) {
				String port = probe.getHttpGet().getPort().getStrVal();
				URI uri = URI.create("http://127.0.0.1:" + ports.get(port) + probe.getHttpGet().getPath());
				// The sample app warms up before its startup and readiness probes go UP.
				assertThat(SampleProcess.await(Duration.ofSeconds(30), () -> status(client, uri) == 200))
					.as(uri.toString())
					.isTrue();
			}
		}
	}

	@Test
	void gracePeriodComesFromOneValueAndTheAppsBudgetFitsIt() {
		PodSpec pod = deployment.getSpec().getTemplate().getSpec();
		long grace = pod.getTerminationGracePeriodSeconds();
		String fromEnv = env(app(), "LIFECYCLE_TERMINATION_GRACE_PERIOD");
		assertThat(fromEnv).isEqualTo(String.valueOf(grace));
		// The app reads the same value the pod gets, on Kubernetes defaults: it must start.
		try (ConfigurableApplicationContext context = new SpringApplication(SampleApplication.class).run(
				"--server.port=0", "--management.server.port=0", "--spring.main.cloud-platform=kubernetes",
				"--lifecycle.termination-grace-period=" + fromEnv)) {
			ShutdownBudget budget = context.getBean(ShutdownBudget.class);
			assertThat(budget.terminationGracePeriod().value()).isEqualTo(Duration.ofSeconds(grace));
			assertThat(budget.delay().value()).isEqualTo(Duration.ofSeconds(5));
			assertThat(budget.fitsGracePeriod()).isTrue();
		}
	}

	@Test
	void rollsWithoutLosingCapacityAndStopsWithoutAPreStopSleep() {
		assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
		assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isPositive();
		assertThat(deployment.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
		Container app = app();
		assertThat(app.getLifecycle()).as("no preStop hook").isNull();
	}

	@Test
	void resourcesAreGuaranteedForMemoryAndTheHeapFollowsTheContainer() {
		Map<String, Quantity> requests = app().getResources().getRequests();
		Map<String, Quantity> limits = app().getResources().getLimits();
		assertThat(requests.get("memory")).isEqualTo(limits.get("memory"));
		assertThat(requests).containsKey("cpu");
		assertThat(env(app(), "JAVA_TOOL_OPTIONS")).contains("-XX:MaxRAMPercentage=");
	}

	@Test
	void podsAreSpreadAndRunLockedDown() {
		PodSpec pod = deployment.getSpec().getTemplate().getSpec();
		assertThat(pod.getTopologySpreadConstraints()).extracting((constraint) -> constraint.getTopologyKey())
			.contains("kubernetes.io/hostname");
		assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
		assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
		assertThat(app().getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
		assertThat(app().getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
		assertThat(app().getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
	}

	@Test
	void serviceAndDisruptionBudgetSelectTheDeploymentsPods() {
		Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
		assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
		assertThat(podLabels).containsAllEntriesOf(disruptionBudget.getSpec().getSelector().getMatchLabels());
		assertThat(disruptionBudget.getSpec().getSelector().getMatchLabels()).isNotEmpty();
		assertThat(app().getPorts()).extracting((port) -> port.getName())
			.contains(service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
	}

	@Test
	void imageRunsJavaAsPidOneAsANonRootUser() throws Exception {
		List<String> dockerfile = Files.readAllLines(ExternalCommand.REPOSITORY.resolve("sample-app/Dockerfile"));
		String entrypoint = last(dockerfile, "ENTRYPOINT ");
		assertThat(entrypoint).as("exec form").matches("ENTRYPOINT \\[\"java\", .*\\]");
		assertThat(last(dockerfile, "USER ")).isEqualTo("USER " + deployment.getSpec().getTemplate().getSpec()
			.getSecurityContext().getRunAsUser() + ":" + deployment.getSpec().getTemplate().getSpec()
			.getSecurityContext().getRunAsGroup());
		assertThat(dockerfile).anyMatch((line) -> line.contains("-Djarmode=tools") && line.contains("--layers"));
	}

	private static int status(HttpClient client, URI uri) {
		try {
			return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
		}
		catch (Exception ex) {
			return -1;
		}
	}

	private static Container app() {
		return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
			.filter((container) -> container.getName().equals("app"))
			.findFirst()
			.orElseThrow();
	}

	private static String env(Container container, String name) {
		return container.getEnv().stream()
			.filter((variable) -> variable.getName().equals(name))
			.map(EnvVar::getValue)
			.findFirst()
			.orElseThrow(() -> new AssertionError("no env " + name));
	}

	private static int window(Probe probe) {
		return probe.getPeriodSeconds() * probe.getFailureThreshold();
	}

	private static String last(List<String> lines, String prefix) {
		return lines.stream().filter((line) -> line.startsWith(prefix)).reduce((first, second) -> second).orElseThrow();
	}

	private static <T> T read(JsonNode document, Class<T> type) throws Exception {
		T resource = yaml.treeToValue(document, type);
		assertThat(unknownFields(resource, document.get("kind").asText())).as("fields Kubernetes does not know")
			.isEmpty();
		return resource;
	}

	/**
	 * The model keeps fields it does not know in "additional properties" instead of
	 * failing: collect them from the whole tree.
	 */
	static List<String> unknownFields(Object node, String path) throws ReflectiveOperationException {
		List<String> unknown = new ArrayList<>();
		collectUnknown(node, path, unknown);
		return unknown;
	}

	private static void collectUnknown(Object node, String path, List<String> unknown)
			throws ReflectiveOperationException {
		if (node instanceof Collection<?> items) {
			int index = 0;
			for (Object item : items) {
				collectUnknown(item, path + "[" + index++ + "]", unknown);
			}
			return;
		}
		if (node instanceof Map<?, ?> map) {
			for (Map.Entry<?, ?> entry : map.entrySet()) {
				collectUnknown(entry.getValue(), path + "." + entry.getKey(), unknown);
			}
			return;
		}
		if (node == null || !node.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
			return;
		}
		for (Method getter : node.getClass().getMethods()) {
			if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
					|| getter.getDeclaringClass() == Object.class) {
				continue;
			}
			Object value = invoke(getter, node);
			if (getter.getName().equals("getAdditionalProperties")) {
				((Map<?, ?>) value).keySet().forEach((key) -> unknown.add(path + ": " + key));
			}
			else {
				collectUnknown(value, path + "." + property(getter), unknown);
			}
		}
	}

	private static Object invoke(Method getter, Object node) throws ReflectiveOperationException {
		try {
			return getter.invoke(node);
		}
		catch (InvocationTargetException ex) {
			return null;
		}
	}

	private static String property(Method getter) {
		String name = getter.getName().substring(3);
		return Character.toLowerCase(name.charAt(0)) + name.substring(1);
	}

}
