package dev.lifecycle.probes.security;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application secured with Spring Security and the two filter chains docs/probes.md
 * documents: the kubelet reaches the probes without credentials, and nothing else of the
 * actuator is open.
 */
class ProbesWithSpringSecurityTests {

	private static final String[] PROBES = { "/livez", "/readyz", "/startupz", "/actuator/health/liveness",
			"/actuator/health/readiness", "/actuator/health/startup" };

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private ConfigurableApplicationContext context;

	private int port;

	@AfterEach
	void close() {
		if (this.context != null) {
			this.context.close();
		}
	}

	@Test
	void probesAnswerWithoutCredentialsAndShowNoDetails() throws Exception {
		start();
		for (String probe : PROBES) {
			HttpResponse<String> response = get(probe, null);
			assertThat(response.statusCode()).as(probe).isEqualTo(200);
			assertThat(response.body()).as(probe).isEqualTo("{\"status\":\"UP\"}");
		}
	}

	@Test
	void everythingElseNeedsCredentials() throws Exception {
		start();
		for (String path : new String[] { "/hello", "/actuator/health", "/actuator/lifecycle", "/actuator",
				"/actuator/health/db" }) {
			assertThat(get(path, null).statusCode()).as(path).isEqualTo(401);
		}
		assertThat(get("/hello", "user:secret").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/lifecycle", "user:secret").statusCode()).isEqualTo(200);
	}

	@Test
	void duringShutdownTheKubeletSeesReadinessGoDownNotAnAuthenticationError() throws Exception {
		start("--lifecycle.shutdown.delay=2s");
		ConfigurableApplicationContext closing = this.context;
		this.context = null;
		CompletableFuture<Void> close = CompletableFuture.runAsync(closing::close);
		await().atMost(Duration.ofSeconds(1)).until(() -> get("/readyz", null).statusCode() == 503);
		assertThat(get("/livez", null).statusCode()).isEqualTo(200);
		assertThat(get("/hello", "user:secret").statusCode()).as("still serving during the delay").isEqualTo(200);
		close.join();
	}

	private void start(String... extra) {
		String[] args = new String[extra.length + 4];
		args[0] = "--server.port=0";
		args[1] = "--management.endpoints.web.exposure.include=health,lifecycle";
		args[2] = "--spring.security.user.name=user";
		args[3] = "--spring.security.user.password=secret";
		System.arraycopy(extra, 0, args, 4, extra.length);
		this.context = new SpringApplication(SecuredApplication.class).run(args);
		this.port = this.context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
	}

	private HttpResponse<String> get(String path, String credentials) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(5));
		if (credentials != null) {
			request.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
		}
		return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** The application of the "With Spring Security" section of docs/probes.md. */
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@RestController
	static class SecuredApplication {

		@GetMapping("/hello")
		String hello() {
			return "hello";
		}

		/** The probes, open to the kubelet; their answers carry no details. */
		@Bean
		@Order(1)
		SecurityFilterChain probes(HttpSecurity http) throws Exception {
			return http
				.securityMatcher("/livez", "/readyz", "/startupz", "/actuator/health/liveness",
						"/actuator/health/readiness", "/actuator/health/startup")
				.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
				.build();
		}

		/** Everything else, the rest of the actuator included, needs credentials. */
		@Bean
		@Order(2)
		SecurityFilterChain application(HttpSecurity http) throws Exception {
			return http.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
				.httpBasic(Customizer.withDefaults())
				.build();
		}

	}

}
