package dev.lifecycle.autoconfigure.probes.grpc;

import io.grpc.protobuf.services.HealthStatusManager;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.grpc.server.autoconfigure.health.GrpcServerHealthAutoConfiguration;
import org.springframework.boot.grpc.server.health.GrpcServerHealth;
import org.springframework.boot.grpc.server.health.HealthCheckedGrpcComponents;
import org.springframework.context.annotation.Bean;

import dev.lifecycle.autoconfigure.probes.ProbeGroupsEnvironmentPostProcessor;
import dev.lifecycle.autoconfigure.probes.ProbesAutoConfiguration;
import dev.lifecycle.probes.grpc.GrpcHealthUpdater;
import dev.lifecycle.probes.grpc.OverallHealthFollowsReadiness;

/**
 * The three probes as services of the standard {@code grpc.health.v1.Health} service
 * that Boot's gRPC server runs: {@code liveness}, {@code readiness} and {@code startup}
 * (their members set by {@link ProbeGroupsEnvironmentPostProcessor}), with {@code ""}
 * following readiness, each updated the moment availability changes.
 */
@AutoConfiguration(after = { GrpcServerHealthAutoConfiguration.class, ProbesAutoConfiguration.class,
		ApplicationAvailabilityAutoConfiguration.class })
@ConditionalOnClass({ GrpcServerHealth.class, HealthStatusManager.class })
@ConditionalOnBean({ GrpcServerHealth.class, HealthStatusManager.class })
@ConditionalOnBooleanProperty(name = "lifecycle.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "lifecycle.probes.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "management.endpoint.health.probes.enabled", matchIfMissing = true)
public final class GrpcProbesAutoConfiguration {

	/** Created by Spring as an auto-configuration. */
	public GrpcProbesAutoConfiguration() {
	}

	@Bean
	static BeanPostProcessor lifecycleGrpcOverallHealthFollowsReadiness() {
		return new BeanPostProcessor() {

			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				return (bean instanceof HealthCheckedGrpcComponents components
						&& !(bean instanceof OverallHealthFollowsReadiness))
								? new OverallHealthFollowsReadiness(components) : bean;
			}

		};
	}

	@Bean
	GrpcHealthUpdater lifecycleGrpcHealthUpdater(GrpcServerHealth health, HealthStatusManager statusManager,
			ApplicationAvailability availability) {
		return new GrpcHealthUpdater(health, statusManager, availability);
	}

}
