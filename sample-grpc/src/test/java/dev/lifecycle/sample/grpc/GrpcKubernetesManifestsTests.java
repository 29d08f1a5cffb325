package dev.lifecycle.sample.grpc;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

import dev.lifecycle.sample.support.SampleProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Renders {@code k8s/overlays/grpc} with {@code kubectl kustomize} and checks its grpc probes
 * against the sample: each probe's port is the gRPC port and each service answers.
 */
class GrpcKubernetesManifestsTests {

	private static Map<String, Object> container;

	private static Map<String, Object> deploymentSpec;

	@BeforeAll
	@SuppressWarnings("unchecked")
	static void render() throws Exception {
		Process kubectl;
		try {
			kubectl = new ProcessBuilder("kubectl", "kustomize", "../k8s/overlays/grpc").redirectErrorStream(true).start();
		}
		catch (java.io.IOException ex) {
			assumeTrue(false, "kubectl is not installed");
			return;
		}
		String rendered = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(kubectl.exitValue()).as(rendered).isZero();
		List<String> kinds = new ArrayList<>();
		for (Object document : new Yaml().loadAll(rendered)) {
			Map<String, Object> resource = (Map<String, Object>) document;
			kinds.add((String) resource.get("kind"));
			if ("Deployment".equals(resource.get("kind"))) {
				Map<String, Object> template = (Map<String, Object>) ((Map<String, Object>) resource.get("spec"))
					.get("template");
				deploymentSpec = (Map<String, Object>) template.get("spec");
				container = ((List<Map<String, Object>>) deploymentSpec.get("containers")).get(0);
			}
		}
		assertThat(kinds).containsExactlyInAnyOrder("Deployment", "Service", "PodDisruptionBudget");
	}

	@Test
	void theGracePeriodIsWrittenOnceAndReachesTheApplication() {
		assertThat(deploymentSpec.get("terminationGracePeriodSeconds")).isEqualTo(30);
		assertThat(container.get("env").toString()).contains("LIFECYCLE_TERMINATION_GRACE_PERIOD, value=30");
	}

	@Test
	void everyProbeIsAGrpcProbeWhoseServiceAnswersServingOnTheSample() throws Exception {
		try (ConfigurableApplicationContext context = new SpringApplication(GrpcSampleApplication.class)
			.run("--server.port=0", "--spring.grpc.server.port=0")) {
			int port = context.getBean(GrpcServerLifecycle.class).getPort();
			ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
			try {
				for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
					Map<?, ?> grpc = (Map<?, ?>) ((Map<?, ?>) container.get(probe)).get("grpc");
					assertThat(grpc).as(probe + " is a grpc probe").isNotNull();
					assertThat(grpc.get("port")).as(probe + " on the gRPC port").isEqualTo(9090);
					String service = (String) grpc.get("service");
					assertThat(SampleProcess.await(Duration.ofSeconds(30),
							() -> GrpcSample.health(channel, service) == ServingStatus.SERVING))
						.as(probe + " service '" + service + "' answers SERVING")
						.isTrue();
				}
			}
			finally {
				channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
			}
		}
	}

}
