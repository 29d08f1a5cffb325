package dev.lifecycle.autoconfigure.shutdown;

import java.util.stream.Collectors;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.lifecycle.autoconfigure.shutdown.InvalidShutdownConfigurationException.Problem;

/**
 * Turns an {@link InvalidShutdownConfigurationException} into the "APPLICATION FAILED TO
 * START" report, one paragraph per problem.
 */
final class InvalidShutdownConfigurationFailureAnalyzer
		extends AbstractFailureAnalyzer<InvalidShutdownConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidShutdownConfigurationException cause) {
		String description = cause.problems()
			.stream()
			.map(Problem::description)
			.collect(Collectors.joining("\n\n"));
		String action = cause.problems().stream().map(Problem::action).collect(Collectors.joining("\n\n"));
		return new FailureAnalysis(description, action, cause);
	}

}
