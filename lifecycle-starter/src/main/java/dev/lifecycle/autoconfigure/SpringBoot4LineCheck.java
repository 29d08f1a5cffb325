package dev.lifecycle.autoconfigure;

/** The {@link BootLineCheck} of the starter built for Spring Boot 4. */
public final class SpringBoot4LineCheck extends BootLineCheck {

	/** Created by Boot from {@code META-INF/spring.factories}. */
	public SpringBoot4LineCheck() {
		super(4, "lifecycle-spring-boot-starter");
	}

}
