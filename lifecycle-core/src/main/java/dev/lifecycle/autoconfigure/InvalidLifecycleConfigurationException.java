package dev.lifecycle.autoconfigure;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown at start-up when the starter's configuration cannot keep its promise. Each
 * problem says what is wrong and what to change.
 */
public final class InvalidLifecycleConfigurationException extends RuntimeException {

	/** What is wrong, each with what to change. */
	private final List<Problem> problems;

	/**
	 * Creates the exception; its message joins the problems' descriptions.
	 *
	 * @param problems what is wrong, each with what to change
	 */
	public InvalidLifecycleConfigurationException(List<Problem> problems) {
		super(problems.stream().map(Problem::description).collect(Collectors.joining(" ")));
		this.problems = List.copyOf(problems);
	}

	/** {@return what is wrong, each with what to change} */
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
