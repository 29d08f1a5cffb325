package dev.lifecycle.autoconfigure;

/** The {@link BootLineCheck} of the starter built for Spring Boot 3. */
public final class SpringBoot3LineCheck extends BootLineCheck {

	/** Created by Boot from {@code META-INF/spring.factories}. */
	public SpringBoot3LineCheck() {
		super(3, "lifecycle-spring-boot3-starter");
	}

}
