package dev.lifecycle.aot;

import org.junit.jupiter.api.Test;

import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.GenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.annotation.ReflectiveRuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.javapoet.ClassName;
import org.springframework.web.context.support.GenericWebApplicationContext;

import dev.lifecycle.actuate.LifecycleEndpoint;
import dev.lifecycle.autoconfigure.shutdown.ServerConnectionsAutoConfiguration;
import dev.lifecycle.autoconfigure.shutdown.ShutdownAutoConfiguration;
import dev.lifecycle.shutdown.tomcat.GracefulHttp11NioProtocol;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a native image needs from the starter: whatever it reaches by reflection has a
 * runtime hint, registered through the AOT processing of a real application context.
 */
class NativeImageHintsTests {

	@Test
	void tomcatCanCreateTheGracefulProtocolFromItsClassName() {
		RuntimeHints hints = aotProcess();
		assertThat(RuntimeHintsPredicates.reflection()
			.onType(GracefulHttp11NioProtocol.class)
			.withMemberCategory(MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS)).accepts(hints);
	}

	@Test
	void theLifecycleEndpointAnswerCanBeWrittenAsJson() {
		RuntimeHints hints = new RuntimeHints();
		new ReflectiveRuntimeHintsRegistrar().registerRuntimeHints(hints, LifecycleEndpoint.class);
		for (Class<?> descriptor : LifecycleEndpoint.class.getDeclaredClasses()) {
			if (descriptor.isRecord()) {
				assertThat(RuntimeHintsPredicates.reflection().onType(descriptor)).as(descriptor.getSimpleName())
					.accepts(hints);
			}
		}
	}

	/** The hints AOT processing gathers for a servlet application with the starter. */
	private static RuntimeHints aotProcess() {
		GenerationContext generation = new DefaultGenerationContext(
				new ClassNameGenerator(ClassName.get(NativeImageHintsTests.class)), new InMemoryGeneratedFiles());
		new WebApplicationContextRunner(GenericWebApplicationContext::new)
			.withConfiguration(AutoConfigurations.of(ShutdownAutoConfiguration.class, ServerConnectionsAutoConfiguration.class))
			.prepare((context) -> new ApplicationContextAotGenerator()
				.processAheadOfTime((GenericWebApplicationContext) context.getSourceApplicationContext(), generation));
		return generation.getRuntimeHints();
	}

}
