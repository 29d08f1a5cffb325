package dev.lifecycle.sample;

import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code k8s/verify-rollout.sh} is meant for a real cluster; here it is checked by
 * shellcheck and by what its dry run would do.
 */
class VerifyRolloutScriptTests {

	private static final String SCRIPT = "k8s/verify-rollout.sh";

	private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

	@Test
	void isShellcheckClean() throws Exception {
		ExternalCommand.assumeInstalled("shellcheck");
		ExternalCommand shellcheck = ExternalCommand.run("shellcheck", SCRIPT);
		assertThat(shellcheck.exitCode()).as(shellcheck.output()).isZero();
	}

	@Test
	void dryRunPrintsTheLoadJobTheRolloutAndTheCleanup() throws Exception {
		ExternalCommand dryRun = ExternalCommand.run("bash", SCRIPT, "--dry-run", "--namespace", "shop", "--deployment",
				"orders", "--service", "orders-svc", "--duration", "90", "--timeout", "240");
		assertThat(dryRun.exitCode()).as(dryRun.output()).isZero();
		assertThat(dryRun.output()).contains("kind: Job", "namespace: shop", "- name: keepalive",
				"\"-keepalive=false\"", "\"-t\", \"90s\"", "http://orders-svc.shop.svc:8080/hello",
				"+ kubectl rollout restart deployment/orders --namespace shop",
				"+ kubectl rollout status deployment/orders --namespace shop --timeout=240s",
				"--container keepalive", "--container newconn")
			.containsPattern("\\+ kubectl delete job verify-rollout-\\d+ --namespace shop --ignore-not-found");
		assertThat(dryRun.output().indexOf("rollout restart")).as("load first, then the restart")
			.isGreaterThan(dryRun.output().indexOf("kind: Job"));
	}

	@Test
	void defaultsNameWhatTheHttpOverlayDeploys() throws Exception {
		ExternalCommand.assumeInstalled("kubectl");
		ExternalCommand rendered = ExternalCommand.run("kubectl", "kustomize", "k8s/overlays/http");
		assertThat(rendered.exitCode()).as(rendered.output()).isZero();
		Map<String, JsonNode> byKind = new HashMap<>();
		for (JsonNode document : YAML.readerFor(JsonNode.class).<JsonNode>readValues(rendered.output()).readAll()) {
			byKind.put(document.get("kind").asText(), document);
		}
		String deployment = byKind.get("Deployment").at("/metadata/name").asText();
		String service = byKind.get("Service").at("/metadata/name").asText();
		int port = byKind.get("Service").at("/spec/ports/0/port").asInt();
		ExternalCommand dryRun = ExternalCommand.run("bash", SCRIPT, "--dry-run");
		assertThat(dryRun.exitCode()).as(dryRun.output()).isZero();
		assertThat(dryRun.output()).contains("+ kubectl rollout restart deployment/" + deployment + " ",
				"http://" + service + ".default.svc:" + port + "/hello");
	}

	@Test
	void helpExplainsTheOptions() throws Exception {
		ExternalCommand help = ExternalCommand.run("bash", SCRIPT, "--help");
		assertThat(help.exitCode()).isZero();
		assertThat(help.output()).contains("Usage:", "--namespace", "--dry-run", "--timeout");
	}

	@Test
	void badUsageExitsWithTwoAndSaysWhatIsWrong() throws Exception {
		ExternalCommand unknown = ExternalCommand.run("bash", SCRIPT, "--replicas", "3");
		assertThat(unknown.exitCode()).isEqualTo(2);
		assertThat(unknown.output()).contains("unknown option '--replicas'");
		ExternalCommand zero = ExternalCommand.run("bash", SCRIPT, "--duration", "0");
		assertThat(zero.exitCode()).isEqualTo(2);
		assertThat(zero.output()).contains("--duration must be a positive whole number");
		ExternalCommand path = ExternalCommand.run("bash", SCRIPT, "--dry-run", "--path", "hello");
		assertThat(path.exitCode()).isEqualTo(2);
		assertThat(path.output()).contains("--path must start with /");
	}

}
