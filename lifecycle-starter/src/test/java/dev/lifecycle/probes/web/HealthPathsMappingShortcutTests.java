package dev.lifecycle.probes.web;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.PriorityOrdered;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.DispatcherHandler;
import org.springframework.web.servlet.DispatcherServlet;

import dev.lifecycle.test.ReactorNettyApplication;
import dev.lifecycle.web.PathPrefixes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.verify;

/**
 * Boot's mapping for the probes' paths on the main port is asked about those paths only,
 * and answers them as it would alone: on a real Tomcat and a real Reactor Netty.
 */
class HealthPathsMappingShortcutTests {

	// Paths a shortcut could get wrong: below, beside, encoded, with parameters.
	private static final List<String> PATHS = List.of("/livez", "/readyz", "/livez/", "/livez/livenessState",
			"/livez;v=1", "/live%7Az", "/LIVEZ", "/livezz", "/hello", "/nothing-here");

	private static final String[] BOOT_ALONE = { "--lifecycle.enabled=false",
			"--management.endpoint.health.probes.enabled=true",
			"--management.endpoint.health.group.liveness.additional-path=server:/livez",
			"--management.endpoint.health.group.readiness.additional-path=server:/readyz" };

	private ConfigurableApplicationContext context;

	@AfterEach
	void close() {
		if (this.context != null) {
			this.context.close();
		}
	}

	@Test
	void prefixesAreTheLiteralSegmentsBeforeAVariable() {
		PathPrefixes prefixes = HealthPathsMappingShortcut
			.prefixesOf(List.of("/livez", "/livez/{*path}", "/readyz", "/probes/startup/**"))
			.orElseThrow();
		assertThat(prefixes.prefixes()).containsExactly("/livez", "/livez", "/readyz", "/probes/startup");
		assertThat(prefixes.contains("/livez/x")).isTrue();
		assertThat(prefixes.contains("/livezz")).isFalse();
		assertThat(prefixes.contains("/probes")).isFalse();
	}

	@Test
	void aPatternThatMayMatchAnyPathTurnsTheShortcutOff() {
		assertThat(HealthPathsMappingShortcut.prefixesOf(List.of("/livez", "/{name}"))).isEmpty();
		assertThat(HealthPathsMappingShortcut.prefixesOf(List.of("/live*"))).isEmpty();
		assertThat(HealthPathsMappingShortcut.prefixesOf(List.of("/**"))).isEmpty();
		assertThat(HealthPathsMappingShortcut.prefixesOf(List.of(""))).isEmpty();
	}

	@Test
	void aPathBootWouldDecodeOrStripIsAskedAboutAsItIs() {
		PathPrefixes prefixes = new PathPrefixes(List.of("/livez"));
		assertThat(HealthPathsMappingShortcut.mayServe(prefixes, "/live%7Az")).isTrue();
		assertThat(HealthPathsMappingShortcut.mayServe(prefixes, "/hello;v=1")).isTrue();
		assertThat(HealthPathsMappingShortcut.mayServe(prefixes, "/hello")).isFalse();
	}

	@Test
	void onSpringMvcTheApplicationsRequestsNoLongerGoThroughBootsHealthMapping() throws Exception {
		this.context = servlet("--server.port=0");
		get("/hello");
		DispatcherServlet dispatcher = this.context.getBean(DispatcherServlet.class);
		assertThat(dispatcher.getHandlerMappings()).anySatisfy((mapping) -> {
			assertThat(mapping).isInstanceOf(ServletHealthPathsMapping.class);
			assertThat(((ServletHealthPathsMapping) mapping).getOrder()).isEqualTo(-100);
			assertThat(((ServletHealthPathsMapping) mapping).paths().prefixes()).contains("/livez", "/readyz",
					"/startupz");
		});
		Object boot = SpyOnBootsMapping.spy.get();
		clearInvocations(boot);
		assertThat(get("/hello").statusCode()).isEqualTo(200);
		verify((org.springframework.web.servlet.HandlerMapping) boot, never()).getHandler(any());
		assertThat(get("/livez").statusCode()).isEqualTo(200);
		verify((org.springframework.web.servlet.HandlerMapping) boot, atLeastOnce()).getHandler(any());
		assertThat(get("/startupz").statusCode()).isEqualTo(200);
	}

	@Test
	void onSpringMvcTheMappingsEndpointStillListsTheProbePaths() throws Exception {
		this.context = servlet("--server.port=0", "--management.endpoints.web.exposure.include=health,mappings");
		assertThat(get("/actuator/mappings").body()).contains("/livez", "/readyz", "/startupz", "/hello");
	}

	@Test
	void onSpringMvcEachPathIsAnsweredAsBootAloneAnswersIt() throws Exception {
		assertAnsweredAsBootAlone(() -> servlet("--server.port=0"), () -> servlet(withPort(BOOT_ALONE)));
	}

	@Test
	void onWebFluxTheApplicationsRequestsNoLongerGoThroughBootsHealthMapping() throws Exception {
		this.context = reactive("--server.port=0");
		DispatcherHandler dispatcher = this.context.getBean(DispatcherHandler.class);
		assertThat(dispatcher.getHandlerMappings()).anySatisfy((mapping) -> {
			assertThat(mapping).isInstanceOf(ReactiveHealthPathsMapping.class);
			assertThat(((ReactiveHealthPathsMapping) mapping).getOrder()).isEqualTo(-100);
		});
		Object boot = SpyOnBootsMapping.spy.get();
		clearInvocations(boot);
		assertThat(get("/hello").statusCode()).isEqualTo(200);
		verify((org.springframework.web.reactive.HandlerMapping) boot, never()).getHandler(any());
		assertThat(get("/livez").statusCode()).isEqualTo(200);
		verify((org.springframework.web.reactive.HandlerMapping) boot, atLeastOnce()).getHandler(any());
		assertThat(get("/startupz").statusCode()).isEqualTo(200);
	}

	@Test
	void onWebFluxEachPathIsAnsweredAsBootAloneAnswersIt() throws Exception {
		assertAnsweredAsBootAlone(() -> reactive("--server.port=0"), () -> reactive(withPort(BOOT_ALONE)));
	}

	private void assertAnsweredAsBootAlone(Starter withStarter, Starter bootAlone) throws Exception {
		this.context = bootAlone.start();
		List<Integer> expected = statuses();
		this.context.close();
		this.context = withStarter.start();
		assertThat(statuses()).as("the statuses of %s", PATHS).isEqualTo(expected);
		assertThat(expected.get(0)).as("/livez").isEqualTo(200);
		assertThat(expected.get(PATHS.indexOf("/hello"))).as("/hello").isEqualTo(200);
	}

	private List<Integer> statuses() throws Exception {
		List<Integer> statuses = new ArrayList<>();
		for (String path : PATHS) {
			try {
				statuses.add(get(path).statusCode());
			}
			catch (IOException ex) {
				throw new IOException("GET " + path, ex);
			}
		}
		return statuses;
	}

	private static String[] withPort(String[] args) {
		String[] all = new String[args.length + 1];
		all[0] = "--server.port=0";
		System.arraycopy(args, 0, all, 1, args.length);
		return all;
	}

	private static ConfigurableApplicationContext servlet(String... args) {
		SpringApplication application = new SpringApplication(ServletApplication.class);
		application.setWebApplicationType(WebApplicationType.SERVLET);
		return application.run(args);
	}

	private static ConfigurableApplicationContext reactive(String... args) {
		return ReactorNettyApplication.of(ReactiveApplication.class).run(args);
	}

	private HttpResponse<String> get(String path) throws Exception {
		int port = this.context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.build();
		// A connection per request: Reactor Netty 1.2 (Boot 3.5) can stop reading a keep-alive connection
		// after an actuator response, with or without the starter (reactor-netty#4347).
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		return client.send(request, HttpResponse.BodyHandlers.ofString());
	}

	@FunctionalInterface
	private interface Starter {

		ConfigurableApplicationContext start();

	}

	/** Puts a spy on Boot's mapping before the shortcut goes in front of it. */
	static final class SpyOnBootsMapping implements BeanPostProcessor, PriorityOrdered {

		static final AtomicReference<Object> spy = new AtomicReference<>();

		@Override
		public Object postProcessAfterInitialization(Object bean, String beanName) {
			if (!bean.getClass().getSimpleName().startsWith("AdditionalHealthEndpointPaths")) {
				return bean;
			}
			Object spied = spy(bean);
			spy.set(spied);
			return spied;
		}

		@Override
		public int getOrder() {
			return 0;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@RestController
	static class ServletApplication {

		@Bean
		static SpyOnBootsMapping spyOnBootsMapping() {
			return new SpyOnBootsMapping();
		}

		@GetMapping("/hello")
		String hello() {
			return "hello";
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@RestController
	static class ReactiveApplication {

		@Bean
		static SpyOnBootsMapping spyOnBootsMapping() {
			return new SpyOnBootsMapping();
		}

		@GetMapping("/hello")
		Mono<String> hello() {
			return Mono.just("hello");
		}

	}

}
