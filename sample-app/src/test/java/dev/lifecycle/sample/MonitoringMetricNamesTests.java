package dev.lifecycle.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import dev.lifecycle.metrics.LifecycleMetrics;
import dev.lifecycle.sample.support.SampleProcess;
import dev.lifecycle.shutdown.BackgroundTasks;
import dev.lifecycle.shutdown.InFlightRequests;
import dev.lifecycle.shutdown.MessageConsumers;
import dev.lifecycle.shutdown.MessageListeners;
import dev.lifecycle.shutdown.NewConnections;
import dev.lifecycle.shutdown.ShutdownBudget;
import dev.lifecycle.shutdown.ShutdownCoordinator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard and the rules of {@code k8s/monitoring/} name only metrics that exist: those
 * the sample app really publishes at the path the PodMonitor scrapes (the starter's and
 * Boot's, in the form Micrometer's Prometheus registry gives them), the recording rules, and
 * the kube-state-metrics series listed below. No list of the starter's names is kept here:
 * a renamed or misspelled meter fails the check.
 */
class MonitoringMetricNamesTests {

	/**
	 * kube-state-metrics series the rules and the dashboard read: the kubelet's view of
	 * readiness and of restarts, which the application cannot publish itself.
	 * <a href="https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/pod-metrics.md">Pod
	 * metrics</a>.
	 */
	private static final Set<String> KUBE_STATE_METRICS = Set.of("kube_pod_status_ready",
			"kube_pod_container_status_restarts_total", "kube_pod_container_status_last_terminated_exitcode",
			"kube_pod_container_status_last_terminated_reason");

	private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");

	private static final Pattern LABEL_LIST = Pattern
		.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");

	/** Grafana's {@code label_values(<selector>, <label>)}: the selector is PromQL. */
	private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*\\w+\\s*\\)");

	private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$:])[a-zA-Z_:][\\w:]*(?![\\w:])(\\s*\\()?");

	private static final Set<String> NOT_METRICS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
			"group_left", "group_right", "bool", "offset", "atan2", "inf", "nan", "sum", "min", "max", "avg", "group",
			"stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile");

	/** Metric names the sample app publishes, from one scrape. */
	private static Set<String> published;

	/** The starter's meters, as the Prometheus registry holds them. */
	private static List<Meter.Id> starterMeters;

	@BeforeAll
	static void scrapeTheSampleApp() throws Exception {
		JsonNode endpoint = LifecycleRules.readYaml("pod-monitor.yaml").at("/spec/podMetricsEndpoints/0");
		assertThat(endpoint.get("port").asText()).as("the PodMonitor scrapes the management port")
			.isEqualTo("management");
		try (ConfigurableApplicationContext context = new SpringApplication(SampleApplication.class)
			.run("--server.port=0", "--management.server.port=0", "--lifecycle.warmup.iterations=10")) {
			int port = context.getEnvironment().getRequiredProperty("local.management.port", Integer.class);
			HttpClient client = HttpClient.newHttpClient();
			// Start-up complete, a short warm-up included: every meter exists, and has its value.
			assertThat(SampleProcess.await(Duration.ofSeconds(60),
					() -> get(client, port, "/actuator/health/startup").statusCode() == 200))
				.isTrue();
			HttpResponse<String> scrape = get(client, port, endpoint.get("path").asText());
			assertThat(scrape.statusCode()).isEqualTo(200);
			published = scrape.body()
				.lines()
				.filter((line) -> !line.isBlank() && !line.startsWith("#"))
				.map((line) -> line.split("[{ ]", 2)[0])
				.collect(Collectors.toCollection(TreeSet::new));
			starterMeters = context.getBean(PrometheusMeterRegistry.class)
				.getMeters()
				.stream()
				.map(Meter::getId)
				.filter((id) -> id.getName().startsWith("lifecycle."))
				.toList();
			published.addAll(brokerMetrics(context.getBean(ShutdownBudget.class)));
		}
	}

	/**
	 * The meters the starter adds for an application with a message broker on its class path
	 * (sample-messaging), which the sample app is not: the same binder, given one broker.
	 */
	private static Set<String> brokerMetrics(ShutdownBudget budget) {
		MessageListeners<Object> broker = new MessageListeners<>("kafka") {

			@Override
			protected Collection<Object> containers() {
				return List.of();
			}

			@Override
			protected String id(Object container) {
				return container.toString();
			}

			@Override
			protected boolean isRunning(Object container) {
				return false;
			}

			@Override
			protected boolean receivesReplies(Object container) {
				return false;
			}

			@Override
			protected void stop(Object container, Duration untilDeadline, Runnable stopped) {
				stopped.run();
			}

		};
		ShutdownCoordinator coordinator = new ShutdownCoordinator(budget, new InFlightRequests(), new NewConnections(),
				BackgroundTasks.withoutScheduledJobs(), new MessageConsumers(() -> Stream.of(broker)), true);
		PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		new LifecycleMetrics(coordinator, null, null).bindTo(registry);
		return registry.scrape()
			.lines()
			.filter((line) -> !line.isBlank() && !line.startsWith("#"))
			.map((line) -> line.split("[{ ]", 2)[0])
			.filter((name) -> name.contains("messages"))
			.collect(Collectors.toCollection(TreeSet::new));
	}

	@Test
	void theScrapeHoldsEveryMeterTheStarterRegistered() {
		assertThat(starterMeters).extracting(Meter.Id::getName)
			.as("the sample app runs the warm-up, so start-up and warm-up meters exist too")
			.contains("lifecycle.shutdown.budget", "lifecycle.startup.checks.pending", "lifecycle.warmup.outcome");
		PrometheusNamingConvention convention = new PrometheusNamingConvention();
		for (Meter.Id id : starterMeters) {
			String name = convention.name(id.getName(), id.getType(), id.getBaseUnit());
			assertThat(published).as(id.toString()).anyMatch((metric) -> metric.startsWith(name));
		}
	}

	@Test
	void everyDashboardQueryNamesOnlyMetricsThatExist() throws Exception {
		assertThat(unknownMetrics(dashboardQueries())).isEmpty();
	}

	@Test
	void everyRuleExpressionNamesOnlyMetricsThatExist() throws Exception {
		Map<String, String> expressions = new LinkedHashMap<>();
		for (JsonNode rule : LifecycleRules.read().rules()) {
			expressions.put(rule.path("alert").asText(rule.path("record").asText()), rule.get("expr").asText());
		}
		assertThat(unknownMetrics(expressions)).isEmpty();
	}

	@Test
	void everyStarterMetricIsOnTheDashboardOrInARule() throws Exception {
		Set<String> used = new TreeSet<>();
		dashboardQueries().values().forEach((query) -> used.addAll(metricNames(query)));
		LifecycleRules.read().rules().forEach((rule) -> used.addAll(metricNames(rule.get("expr").asText())));
		assertThat(used).containsAll(starterMetrics());
	}

	@Test
	void theMetricsPageListsWhatTheStarterPublishes() throws Exception {
		Matcher prometheusName = Pattern.compile("^\\| `lifecycle\\.[\\w.]+` \\| `(lifecycle_\\w+)` \\|", Pattern.MULTILINE)
			.matcher(Files.readString(ExternalCommand.REPOSITORY.resolve("docs/metrics.md")));
		Set<String> documented = new TreeSet<>();
		while (prometheusName.find()) {
			documented.add(prometheusName.group(1));
		}
		assertThat(documented).isEqualTo(starterMetrics());
	}

	@Test
	void theDashboardIsTemplatedByDataSourceNamespaceAndApplication() throws Exception {
		JsonNode dashboard = dashboard();
		assertThat(dashboard.at("/templating/list").findValuesAsText("name")).contains("datasource", "namespace",
				"application");
		for (JsonNode panel : panels(dashboard)) {
			String title = panel.get("title").asText();
			assertThat(panel.at("/datasource/uid").asText()).as(title).isEqualTo("${datasource}");
			for (JsonNode target : panel.get("targets")) {
				assertThat(target.get("expr").asText()).as(title).contains("$namespace", "$application");
			}
		}
	}

	@Test
	void everyDashboardQueryIsValidPromQl() throws Exception {
		ExternalCommand.assumeInstalled("promtool");
		// Grafana's variables filled in, each query becomes a recording rule that promtool parses.
		StringBuilder rules = new StringBuilder("groups:\n- name: dashboard\n  rules:\n");
		int index = 0;
		for (String query : dashboardQueries().values()) {
			String promql = LABEL_VALUES.matcher(query).replaceAll("$1")
				.replace("$__rate_interval", "1m")
				.replace("$namespace", "shop")
				.replace("$application", "orders");
			rules.append("  - record: dashboard:query_").append(index++).append('\n');
			rules.append("    expr: ").append(LifecycleRules.YAML.writeValueAsString(promql).replaceFirst("^---\\s*", ""));
		}
		Path file = Files.createTempFile("dashboard-queries", ".yaml");
		try {
			Files.writeString(file, rules);
			ExternalCommand check = ExternalCommand.run("promtool", "check", "rules", file.toString());
			assertThat(check.exitCode()).as(rules + check.output()).isZero();
		}
		finally {
			Files.delete(file);
		}
	}

	@Test
	void metricNamesAreTakenFromPromQlNotFromWhatSurroundsThem() {
		assertThat(metricNames("""
				max by (namespace, pod) (changes(kube_pod_status_ready{condition="true", pod=~"orders-.*"}[30m]))
				* on (namespace, pod) group_left (application) pod:lifecycle_application:info{application=~"$application"}
				and rate(http_server_requests_seconds_count[$__rate_interval] offset 5m) > 1e3
				unless max_over_time((up == bool 0)[1m:5s]) < 0.8
				""")).containsExactlyInAnyOrder("kube_pod_status_ready", "pod:lifecycle_application:info",
						"http_server_requests_seconds_count", "up");
		assertThat(metricNames("label_values(lifecycle_shutdown_budget_seconds{namespace=~\"$namespace\"}, application)"))
			.containsExactly("lifecycle_shutdown_budget_seconds");
		assertThat(metricNames("count by (outcome) (lifecycle_warmup_outcome == 1)"))
			.containsExactly("lifecycle_warmup_outcome");
	}

	/** The metric names a PromQL query (with Grafana's variables) selects. */
	static Set<String> metricNames(String query) {
		String promql = LABEL_VALUES.matcher(query).replaceAll("$1");
		promql = STRING.matcher(promql).replaceAll("\"\"");
		promql = promql.replaceAll("\\{[^}]*\\}", "{}").replaceAll("\\[[^\\]]*\\]", "[]");
		promql = LABEL_LIST.matcher(promql).replaceAll("$1()");
		Set<String> names = new TreeSet<>();
		Matcher identifier = IDENTIFIER.matcher(promql);
		while (identifier.find()) {
			String name = identifier.group().replaceFirst("\\s*\\($", "");
			boolean function = identifier.group(1) != null;
			if (!function && !NOT_METRICS.contains(name)) {
				names.add(name);
			}
		}
		return names;
	}

	/** Each query's unknown metrics, by where the query is. */
	private static Map<String, Set<String>> unknownMetrics(Map<String, String> queries) throws Exception {
		Set<String> known = new TreeSet<>(published);
		known.addAll(LifecycleRules.read().recordingRuleNames());
		known.addAll(KUBE_STATE_METRICS);
		Map<String, Set<String>> unknown = new LinkedHashMap<>();
		queries.forEach((where, query) -> {
			Set<String> names = metricNames(query);
			assertThat(names).as("metrics of %s", where).isNotEmpty();
			names.removeAll(known);
			if (!names.isEmpty()) {
				unknown.put(where, names);
			}
		});
		return unknown;
	}

	private static Set<String> starterMetrics() {
		return published.stream()
			.filter((name) -> name.startsWith("lifecycle_"))
			.collect(Collectors.toCollection(TreeSet::new));
	}

	/** The queries of the dashboard's panels and variables, by panel title or variable name. */
	private static Map<String, String> dashboardQueries() throws Exception {
		JsonNode dashboard = dashboard();
		Map<String, String> queries = new LinkedHashMap<>();
		for (JsonNode panel : panels(dashboard)) {
			for (JsonNode target : panel.get("targets")) {
				queries.put(panel.get("title").asText() + " " + target.get("refId").asText(), target.get("expr").asText());
			}
		}
		for (JsonNode variable : dashboard.at("/templating/list")) {
			if (variable.get("type").asText().equals("query")) {
				queries.put("$" + variable.get("name").asText(), variable.at("/query/query").asText());
			}
		}
		return queries;
	}

	private static JsonNode dashboard() throws Exception {
		return LifecycleRules.YAML.readTree(LifecycleRules.DIRECTORY.resolve("lifecycle-dashboard.json").toFile());
	}

	/** Every panel that queries, those inside rows included. */
	private static List<JsonNode> panels(JsonNode dashboard) {
		List<JsonNode> panels = new ArrayList<>();
		for (JsonNode panel : dashboard.get("panels")) {
			panel.path("panels").forEach(panels::add);
			if (panel.has("targets")) {
				panels.add(panel);
			}
		}
		return panels;
	}

	private static HttpResponse<String> get(HttpClient client, int port, String path) {
		try {
			return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
