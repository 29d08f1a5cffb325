package dev.lifecycle.shutdown;

import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import dev.lifecycle.test.ReactorNettyApplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Closing the application ends every thread the starter started, so that a JVM whose
 * context is closed without {@code System.exit} (a command-line run, a test, a restart)
 * ends, and no sweep runs on after its servers.
 */
class StarterThreadsTests {

	@Test
	void onTomcatClosingTheApplicationEndsTheStartersThreads() {
		assertStartersThreadsEnd(() -> {
			SpringApplication application = new SpringApplication(TestApplication.class);
			application.setWebApplicationType(WebApplicationType.SERVLET);
			return application.run("--server.port=0", "--server.http2.enabled=true");
		});
	}

	@Test
	void onReactorNettyClosingTheApplicationEndsTheStartersThreads() {
		assertStartersThreadsEnd(() -> ReactorNettyApplication.of(TestApplication.class).run("--server.port=0"));
	}

	private static void assertStartersThreadsEnd(Supplier<ConfigurableApplicationContext> start) {
		Set<Thread> before = startersThreads();
		ConfigurableApplicationContext context = start.get();
		context.close();
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(names(startersThreads(), before)).as("the starter's threads still alive")
				.isEmpty());
	}

	private static Set<Thread> startersThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && thread.getName().startsWith("lifecycle-"))
			.collect(Collectors.toSet());
	}

	private static Set<String> names(Set<Thread> threads, Set<Thread> before) {
		return threads.stream()
			.filter((thread) -> !before.contains(thread))
			.map(Thread::getName)
			.collect(Collectors.toSet());
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
