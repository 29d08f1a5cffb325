package dev.lifecycle.autoconfigure;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown at start-up when the starter's configuration cannot keep its promise. Each
 * problem says what is wrong and what to change.
 */
public final class InvalidLifecycleConfigurationException extends RuntimeException {

	private final List<Problem> problems;

	public InvalidLifecycleConfigurationException(List<Problem> problems) {
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
