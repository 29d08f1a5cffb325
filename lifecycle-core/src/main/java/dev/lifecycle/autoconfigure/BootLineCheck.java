package dev.lifecycle.autoconfigure;

import java.util.List;

import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;

import dev.lifecycle.autoconfigure.InvalidLifecycleConfigurationException.Problem;

/**
 * Stops start-up at once when the starter on the class path is built for another Spring
 * Boot line than the application's, with a message that names the artifact to use. Each
 * line's starter registers its own in {@code spring.factories}, whose listener key both
 * lines read, so it runs before any auto-configuration could fail on a class that Boot
 * moved.
 */
public abstract class BootLineCheck implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

	/** A class that Boot 4 added: where it is missing, the application runs Boot 3. */
	private static final String BOOT_4_CLASS = "org.springframework.boot.EnvironmentPostProcessor";

	private final int bootMajor;

	private final String artifact;

	/**
	 * Creates the check of one starter.
	 *
	 * @param bootMajor the major version of Spring Boot the starter is built for
	 * @param artifact the starter's artifact id
	 */
	protected BootLineCheck(int bootMajor, String artifact) {
		this.bootMajor = bootMajor;
		this.artifact = artifact;
	}

	@Override
	public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
		int applicationMajor = ClassUtils.isPresent(BOOT_4_CLASS, getClass().getClassLoader()) ? 4 : 3;
		if (applicationMajor == this.bootMajor) {
			return;
		}
		String version = SpringBootVersion.getVersion();
		String running = "Spring Boot " + ((version != null) ? version : applicationMajor + ".x");
		String wanted = (applicationMajor == 3) ? "lifecycle-spring-boot3-starter" : "lifecycle-spring-boot-starter";
		throw new InvalidLifecycleConfigurationException(List.of(new Problem(
				"dev.lifecycle:" + this.artifact + " is built for Spring Boot " + this.bootMajor
						+ ", but this application runs " + running + ".",
				"Replace the dependency dev.lifecycle:" + this.artifact + " with dev.lifecycle:" + wanted
						+ " (the same version), which is built for Spring Boot " + applicationMajor + ".")));
	}

	@Override
	public int getOrder() {
		// Before any other listener reads the environment: nothing else of the starter may run.
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
