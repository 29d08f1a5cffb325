package dev.lifecycle.sample;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code k8s/monitoring/}: the alert and recording rules, checked and unit-tested by
 * promtool through {@code check.sh}, the PrometheusRule generated from them, the runbook
 * of each alert, and what {@code kubectl kustomize} renders.
 */
class MonitoringRulesTests {

	private static final String RUNBOOKS = "https://github.com/lifecycle-dev/lifecycle/blob/main/docs/monitoring.md#";

	@Test
	void promtoolChecksTheRulesAndTheirUnitTestsPass() throws Exception {
		ExternalCommand.assumeInstalled("promtool");
		ExternalCommand check = ExternalCommand.run("bash", "k8s/monitoring/check.sh");
		assertThat(check.exitCode()).as(check.output()).isZero();
		assertThat(check.output()).contains("SUCCESS: " + LifecycleRules.read().rules().size() + " rules found")
			.containsPattern("Unit Testing: .*lifecycle-rules.test.yaml\\s+SUCCESS");
	}

	@Test
	void scriptsAreShellcheckClean() throws Exception {
		ExternalCommand.assumeInstalled("shellcheck");
		ExternalCommand shellcheck = ExternalCommand.run("shellcheck", "k8s/monitoring/check.sh", ".ci/apt-install");
		assertThat(shellcheck.exitCode()).as(shellcheck.output()).isZero();
	}

	@Test
	void thePrometheusRuleHoldsExactlyTheGroupsOfTheRuleFile() throws Exception {
		JsonNode prometheusRule = LifecycleRules.readYaml("prometheus-rule.yaml");
		assertThat(prometheusRule.get("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
		assertThat(prometheusRule.get("kind").asText()).isEqualTo("PrometheusRule");
		assertThat(prometheusRule.get("spec").get("groups")).as("run k8s/monitoring/check.sh --write")
			.isEqualTo(LifecycleRules.read().groups());
	}

	@Test
	void everyAlertHasASeveritySaysWhatToDoAndHasARunbookSection() throws Exception {
		Set<String> anchors = DocumentationLinksTests.anchors(ExternalCommand.REPOSITORY.resolve("docs/monitoring.md"));
		for (JsonNode alert : LifecycleRules.read().alerts()) {
			String name = alert.get("alert").asText();
			assertThat(alert.at("/labels/severity").asText()).as(name).isIn("info", "warning", "critical");
			assertThat(alert.at("/annotations/summary").asText()).as(name).isNotBlank();
			assertThat(alert.at("/annotations/description").asText()).as(name).hasSizeGreaterThan(150);
			String slug = DocumentationLinksTests.slug(name);
			assertThat(alert.at("/annotations/runbook_url").asText()).as(name).isEqualTo(RUNBOOKS + slug);
			assertThat(anchors).as("a heading '%s' in docs/monitoring.md", name).contains(slug);
		}
	}

	@Test
	void everyAlertIsTestedFiringAndSilentAndEveryRecordingRuleIsTested() throws Exception {
		JsonNode tests = LifecycleRules.readYaml("lifecycle-rules.test.yaml").get("tests");
		Set<String> firing = new TreeSet<>();
		Set<String> silent = new TreeSet<>();
		List<String> testedExpressions = new ArrayList<>();
		for (JsonNode test : tests) {
			for (JsonNode alertTest : test.path("alert_rule_test")) {
				boolean fires = alertTest.path("exp_alerts").size() > 0;
				(fires ? firing : silent).add(alertTest.get("alertname").asText());
			}
			test.path("promql_expr_test").forEach((exprTest) -> testedExpressions.add(exprTest.get("expr").asText()));
		}
		LifecycleRules rules = LifecycleRules.read();
		Set<String> alerts = rules.alerts().stream().map((alert) -> alert.get("alert").asText()).collect(Collectors.toSet());
		assertThat(firing).as("alerts tested where they fire").isEqualTo(alerts);
		assertThat(silent).as("alerts tested where they must not fire").isEqualTo(alerts);
		for (String recorded : rules.recordingRuleNames()) {
			assertThat(testedExpressions).as("tests of recording rule %s", recorded)
				.anyMatch((expression) -> expression.contains(recorded));
		}
	}

	@Test
	void theReadmeAndTheRunbooksShowEachAlertsExpressionAsTheRuleFileHasIt() throws Exception {
		List<JsonNode> alerts = LifecycleRules.read().alerts();
		for (String document : List.of("README.md", "docs/monitoring.md")) {
			String text = withoutWhitespace(Files.readString(ExternalCommand.REPOSITORY.resolve(document)));
			for (JsonNode alert : alerts) {
				assertThat(text).as("%s shows the expression of %s", document, alert.get("alert").asText())
					.contains(withoutWhitespace(alert.get("expr").asText()));
			}
		}
	}

	@Test
	void theMonitoringKustomizationRendersTheRulesTheMonitorAndTheDashboard() throws Exception {
		Map<String, JsonNode> byKind = render("k8s/monitoring");
		assertThat(byKind).containsOnlyKeys("PrometheusRule", "PodMonitor", "ConfigMap");
		assertThat(byKind.get("PrometheusRule").at("/spec/groups")).isEqualTo(LifecycleRules.read().groups());
		JsonNode dashboard = byKind.get("ConfigMap");
		assertThat(dashboard.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
		assertThat(dashboard.at("/data/lifecycle-dashboard.json").asText())
			.isEqualTo(Files.readString(LifecycleRules.DIRECTORY.resolve("lifecycle-dashboard.json")));
	}

	@Test
	void thePodMonitorScrapesTheDeploymentsPodsOnAPortTheyDeclare() throws Exception {
		JsonNode deployment = render("k8s/overlays/http").get("Deployment");
		JsonNode podMonitor = LifecycleRules.readYaml("pod-monitor.yaml");
		JsonNode podLabels = deployment.at("/spec/template/metadata/labels");
		JsonNode selector = podMonitor.at("/spec/selector/matchLabels");
		assertThat(selector.size()).isPositive();
		selector.fields()
			.forEachRemaining((label) -> assertThat(podLabels.path(label.getKey()).asText()).as(label.getKey())
				.isEqualTo(label.getValue().asText()));
		List<String> ports = deployment.at("/spec/template/spec/containers/0/ports").findValuesAsText("name");
		assertThat(ports).contains(podMonitor.at("/spec/podMetricsEndpoints/0/port").asText());
	}

	private static String withoutWhitespace(String text) {
		return text.replaceAll("\\s+", "");
	}

	/** What {@code kubectl kustomize} renders from a directory, by kind (one of each here). */
	private static Map<String, JsonNode> render(String directory) throws Exception {
		ExternalCommand.assumeInstalled("kubectl");
		ExternalCommand rendered = ExternalCommand.run("kubectl", "kustomize", directory);
		assertThat(rendered.exitCode()).as(rendered.output()).isZero();
		return LifecycleRules.YAML.readerFor(JsonNode.class)
			.<JsonNode>readValues(rendered.output())
			.readAll()
			.stream()
			.collect(Collectors.toMap((document) -> document.get("kind").asText(), (document) -> document));
	}

}
