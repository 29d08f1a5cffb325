package dev.lifecycle.autoconfigure.shutdown;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown at start-up when the shutdown configuration cannot keep its promise. Each
 * problem says what is wrong and what to change.
 */
public final class InvalidShutdownConfigurationException extends RuntimeException {

	private final List<Problem> problems;

	InvalidShutdownConfigurationException(List<Problem> problems) {
		super(problems.stream().map(Problem::description).collect(Collectors.joining(" ")));
		this.problems = List.copyOf(problems);
	}

	public List<Problem> problems() {
		return this.problems;
	}

	/**
	 * One invalid value or combination.
	 *
	 * @param description what is wrong, naming each value and its source
	 * @param action what to change
	 */
	public record Problem(String description, String action) {
	}

}
