package dev.lifecycle.warmup;

import java.time.Duration;

/**
 * How a warm-up went.
 *
 * @param outcome how it ended
 * @param duration how long it took
 * @param requests warm-up requests sent
 * @param failedRequests requests that failed or answered other than 2xx
 * @param tasks warm-up tasks run
 * @param failedTasks tasks that threw
 */
public record WarmupResult(Outcome outcome, Duration duration, long requests, long failedRequests, int tasks,
		int failedTasks) {

	/** {@return the one line an operator reads about the warm-up} */
	public String summary() {
		String counts = this.requests + " requests (" + this.failedRequests + " failed), " + this.tasks + " tasks ("
				+ this.failedTasks + " failed)";
		return switch (this.outcome) {
			case COMPLETED -> "Warm-up complete in " + millis(this.duration) + ": " + counts
					+ (clean() ? "" : "; ready anyway, with failures");
			case TIMED_OUT -> "Warm-up stopped by its budget after " + millis(this.duration) + ": " + counts
					+ "; ready anyway, partly warm";
			case CANCELLED -> "Warm-up cancelled after " + millis(this.duration) + " by shutdown: " + counts;
		};
	}

	/** {@return whether everything ran and nothing failed} */
	public boolean clean() {
		return this.outcome == Outcome.COMPLETED && this.failedRequests == 0 && this.failedTasks == 0;
	}

	private static String millis(Duration duration) {
		return duration.toMillis() + " ms";
	}

	/** How a warm-up ended. */
	public enum Outcome {

		/** Every request and task ran. */
		COMPLETED,

		/** The budget ran out first; the application became ready anyway. */
		TIMED_OUT,

		/** The application started shutting down. */
		CANCELLED

	}

}
