package dev.lifecycle.test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.core.io.DefaultResourceLoader;

/** A reactive application for the tests, served by Reactor Netty on both Boot lines. */
public final class ReactorNettyApplication {

	private ReactorNettyApplication() {
	}

	/**
	 * {@return a reactive application of the given sources, on Reactor Netty} Boot 3 would
	 * pick Tomcat, which the servlet tests put on the class path, so Tomcat is hidden.
	 * @param sources the application's configuration classes
	 */
	public static SpringApplication of(Class<?>... sources) {
		SpringApplication application = new SpringApplication(
				new DefaultResourceLoader(new FilteredClassLoader("org.apache.catalina")), sources);
		application.setWebApplicationType(WebApplicationType.REACTIVE);
		return application;
	}

}
