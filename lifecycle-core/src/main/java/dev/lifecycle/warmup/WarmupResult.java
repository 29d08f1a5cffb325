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
 * @param lastWindowCompilationMillis the JIT compilation time added over the settle rule's
 * last window, or -1 when it was not measured
 */
public record WarmupResult(Outcome outcome, Duration duration, long requests, long failedRequests, int tasks,
		int failedTasks, long lastWindowCompilationMillis) {

	/** {@return the one line an operator reads about the warm-up} */
	public String summary() {
		String counts = this.requests + " requests (" + this.failedRequests + " failed), " + this.tasks + " tasks ("
				+ this.failedTasks + " failed)";
		String failures = (this.failedRequests == 0 && this.failedTasks == 0) ? "" : "; ready anyway, with failures";
		return switch (this.outcome) {
			case SETTLED -> "Warm-up complete in " + millis(this.duration) + ", the JIT settled ("
					+ this.lastWindowCompilationMillis + " ms of compilation in the last window): " + counts + failures;
			case CAP_REACHED -> "Warm-up complete in " + millis(this.duration)
					+ ", each path requested its iterations before the JIT settled (" + this.lastWindowCompilationMillis
					+ " ms of compilation in the last window): " + counts + failures;
			case COMPLETED -> "Warm-up complete in " + millis(this.duration) + ": " + counts + failures;
			case FAILED -> "Warm-up stopped after " + millis(this.duration) + ", every path failed "
					+ Warmup.FAILURES_TO_DROP_A_PATH + " times in a row: " + counts + "; ready anyway, not warm";
			case TIMED_OUT -> "Warm-up stopped by its budget after " + millis(this.duration) + ": " + counts
					+ "; ready anyway, partly warm";
			case CANCELLED -> "Warm-up cancelled after " + millis(this.duration) + " by shutdown: " + counts;
		};
	}

	/** {@return whether the warm-up ended as configured and nothing failed} */
	public boolean clean() {
		return (this.outcome == Outcome.SETTLED || this.outcome == Outcome.CAP_REACHED
				|| this.outcome == Outcome.COMPLETED) && this.failedRequests == 0 && this.failedTasks == 0;
	}

	private static String millis(Duration duration) {
		return duration.toMillis() + " ms";
	}

	/** How a warm-up ended. */
	public enum Outcome {

		/** The JIT settled while requests were sent, and every task ran. */
		SETTLED,

		/** Each path was requested its iterations before the JIT settled; every task ran. */
		CAP_REACHED,

		/**
		 * Every request and task ran: a fixed number of iterations, or tasks only, or the
		 * JVM could not tell when the JIT settled.
		 */
		COMPLETED,

		/**
		 * Every path failed {@value Warmup#FAILURES_TO_DROP_A_PATH} times in a row, so no
		 * more requests were sent; the application became ready anyway.
		 */
		FAILED,

		/** The budget ran out first; the application became ready anyway. */
		TIMED_OUT,

		/** The application started shutting down. */
		CANCELLED

	}

}
