package dev.lifecycle.probes.grpc;

import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.grpc.server.autoconfigure.GrpcServerAutoConfiguration;
import org.springframework.boot.grpc.server.autoconfigure.health.GrpcServerHealthAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.logging.DeferredLogs;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

import dev.lifecycle.autoconfigure.probes.ProbeGroupsEnvironmentPostProcessor;
import dev.lifecycle.autoconfigure.probes.ProbesAutoConfiguration;
import dev.lifecycle.autoconfigure.probes.grpc.GrpcProbesAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The probes as {@code grpc.health.v1.Health} services of Boot's gRPC server, asked over
 * a real connection as the kubelet's {@code grpc:} probe asks.
 */
class GrpcProbesTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withInitializer((context) -> new ProbeGroupsEnvironmentPostProcessor(new DeferredLogs())
			.postProcessEnvironment(context.getEnvironment(), new SpringApplication()))
		.withPropertyValues("spring.grpc.server.port=0", "spring.grpc.server.health.enabled=true")
		.withConfiguration(AutoConfigurations.of(ApplicationAvailabilityAutoConfiguration.class,
				HealthContributorRegistryAutoConfiguration.class, AvailabilityProbesAutoConfiguration.class,
				ProbesAutoConfiguration.class, GrpcServerAutoConfiguration.class,
				GrpcServerHealthAutoConfiguration.class, GrpcProbesAutoConfiguration.class, SslAutoConfiguration.class));

	@Test
	void noServiceSaysServingBeforeTheApplicationIsReady() {
		this.contextRunner.run((context) -> withHealth(context, (health) -> {
			assertThat(status(health, "")).isEqualTo(ServingStatus.NOT_SERVING);
			assertThat(status(health, "readiness")).isEqualTo(ServingStatus.NOT_SERVING);
			assertThat(status(health, "startup")).isEqualTo(ServingStatus.NOT_SERVING);
		}));
	}

	@Test
	void readinessAndTheServerFollowReadinessAtOnceWhileLivenessStaysServing() {
		this.contextRunner.run((context) -> withHealth(context, (health) -> {
			AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
			AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
			assertThat(status(health, "")).isEqualTo(ServingStatus.SERVING);
			assertThat(status(health, "readiness")).isEqualTo(ServingStatus.SERVING);
			assertThat(status(health, "liveness")).isEqualTo(ServingStatus.SERVING);

			AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
			assertThat(status(health, "")).isEqualTo(ServingStatus.NOT_SERVING);
			assertThat(status(health, "readiness")).isEqualTo(ServingStatus.NOT_SERVING);
			assertThat(status(health, "liveness")).isEqualTo(ServingStatus.SERVING);

			AvailabilityChangeEvent.publish(context, LivenessState.BROKEN);
			assertThat(status(health, "liveness")).isEqualTo(ServingStatus.NOT_SERVING);
		}));
	}

	@Test
	void theServicesFollowTheProbeGroupsTheUserChanged() {
		this.contextRunner.withPropertyValues("management.endpoint.health.group.readiness.include=readinessState,livenessState")
			.run((context) -> assertThat(context.getEnvironment()
				.getProperty("spring.grpc.server.health.service.readiness.include")).isEqualTo("readinessState,livenessState"));
	}

	@Test
	void aServiceTheUserConfiguredWins() {
		this.contextRunner.withPropertyValues("spring.grpc.server.health.service.liveness.include=livenessState")
			.run((context) -> assertThat(context.getEnvironment()
				.getProperty("spring.grpc.server.health.service.liveness.include")).isEqualTo("livenessState"));
	}

	@Test
	void backsOffWhenTheStarterIsOff() {
		this.contextRunner.withPropertyValues("lifecycle.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(GrpcHealthUpdater.class));
	}

	@Test
	void nothingGrpcRelatedWithoutBootsGrpcServer() {
		new ApplicationContextRunner().withClassLoader(new FilteredClassLoader("io.grpc", "org.springframework.grpc"))
			.withConfiguration(AutoConfigurations.of(ApplicationAvailabilityAutoConfiguration.class,
					HealthContributorRegistryAutoConfiguration.class, AvailabilityProbesAutoConfiguration.class,
					ProbesAutoConfiguration.class, GrpcProbesAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(GrpcHealthUpdater.class);
				assertThat(context.getBeanNamesForType(Object.class))
					.noneMatch((name) -> name.toLowerCase().contains("grpc"));
			});
	}

	private static ServingStatus status(HealthGrpc.HealthBlockingStub health, String service) {
		try {
			return health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
		}
		catch (StatusRuntimeException ex) {
			throw new AssertionError("service '" + service + "': " + ex.getStatus(), ex);
		}
	}

	private static void withHealth(AssertableApplicationContext context, HealthCheck check) throws Exception {
		assertThat(context).hasNotFailed();
		int port = context.getBean(GrpcServerLifecycle.class).getPort();
		ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
		try {
			check.run(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS));
		}
		finally {
			channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
	}

	@FunctionalInterface
	private interface HealthCheck {

		void run(HealthGrpc.HealthBlockingStub health) throws Exception;

	}

	@Test
	void unknownServicesAreNotFound() {
		this.contextRunner.run((context) -> withHealth(context,
				(health) -> assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> status(health, "nope"))
					.withMessageContaining("NOT_FOUND")));
	}

}
