package dev.lifecycle.autoconfigure;

import java.util.stream.Collectors;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.lifecycle.autoconfigure.InvalidLifecycleConfigurationException.Problem;

/**
 * Turns an {@link InvalidLifecycleConfigurationException} into the "APPLICATION FAILED TO
 * START" report, one paragraph per problem.
 */
public final class InvalidLifecycleConfigurationFailureAnalyzer
		extends AbstractFailureAnalyzer<InvalidLifecycleConfigurationException> {

	/** Created by Boot from {@code META-INF/spring.factories}. */
	public InvalidLifecycleConfigurationFailureAnalyzer() {
	}

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidLifecycleConfigurationException cause) {
		String description = cause.problems()
			.stream()
			.map(Problem::description)
			.collect(Collectors.joining("\n\n"));
		String action = cause.problems().stream().map(Problem::action).collect(Collectors.joining("\n\n"));
		return new FailureAnalysis(description, action, cause);
	}

}
