package dev.lifecycle.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The check each starter registers, run on whichever Boot line this test runs: the
 * starter of this line passes, the other line's is refused with the artifact to use.
 */
class BootLineCheckTests {

	private static final int THIS_LINE = Integer.parseInt(SpringBootVersion.getVersion().split("\\.")[0]);

	@Test
	void theStarterOfThisBootLineStarts() {
		SpringApplication application = application(new TestLineCheck(THIS_LINE, "this-line-starter"));
		application.run().close();
	}

	@Test
	void theOtherLinesStarterStopsStartUpNamingTheArtifactToUse() {
		int otherLine = (THIS_LINE == 4) ? 3 : 4;
		String artifact = (otherLine == 4) ? "lifecycle-spring-boot-starter" : "lifecycle-spring-boot3-starter";
		String wanted = (THIS_LINE == 4) ? "lifecycle-spring-boot-starter" : "lifecycle-spring-boot3-starter";
		SpringApplication application = application(new TestLineCheck(otherLine, artifact));
		InvalidLifecycleConfigurationException failure = assertThatExceptionOfType(
				InvalidLifecycleConfigurationException.class)
			.isThrownBy(application::run)
			.actual();
		FailureAnalysis analysis = new InvalidLifecycleConfigurationFailureAnalyzer().analyze(failure);
		assertThat(analysis.getDescription()).contains("dev.lifecycle:" + artifact + " is built for Spring Boot "
				+ otherLine + ", but this application runs Spring Boot " + SpringBootVersion.getVersion());
		assertThat(analysis.getAction()).contains("with dev.lifecycle:" + wanted + " (the same version)");
	}

	@Test
	void eachStarterRegistersTheCheckOfItsOwnLine() {
		assertThat(SpringFactoriesLoader.loadFactoryNames(ApplicationListener.class, getClass().getClassLoader()))
			.contains("dev.lifecycle.autoconfigure.SpringBoot" + THIS_LINE + "LineCheck");
	}

	private static SpringApplication application(BootLineCheck check) {
		SpringApplication application = new SpringApplication(TestApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.addListeners(check);
		return application;
	}

	static final class TestLineCheck extends BootLineCheck {

		TestLineCheck(int bootMajor, String artifact) {
			super(bootMajor, artifact);
		}

	}

	// No component scan: this package holds the starter's own configuration classes.
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
