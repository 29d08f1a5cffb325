package dev.lifecycle.shutdown;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What happened during one shutdown, for operators: a log line, metrics and the
 * {@code lifecycle} endpoint are made from it.
 *
 * @param started when the context started closing
 * @param phases when each phase began
 * @param total from the start of the close to the end of the close phase
 * @param budget the termination grace period the shutdown had to fit in
 * @param delay how long the application kept serving after readiness flipped
 * @param delayEnd why the delay ended
 * @param servedDuringDelay requests that arrived during the delay
 * @param newConnectionsDuringDelay connections accepted during the delay; {@code null}
 * where the web server does not report them
 * @param drain how long the drain phase lasted
 * @param drained requests that completed during the drain
 * @param abandoned requests still running when the drain timeout ran out
 * @param tasksWait how long the sequence waited, after the drain, for scheduled jobs and
 * async tasks
 * @param tasks scheduled jobs and async tasks: those that finished during the shutdown,
 * and those cut at its deadline
 * @param messagesWait how long the sequence waited, after the jobs and tasks, for message
 * listener containers to stop
 * @param messages the messages listeners finished during the shutdown, and those left for
 * redelivery, per listener
 * @param close how long the rest of the context took to close
 */
public record ShutdownReport(Instant started, Map<ShutdownPhase, Instant> phases, Duration total, Duration budget,
		Duration delay, DelayEnd delayEnd, long servedDuringDelay, @Nullable Long newConnectionsDuringDelay,
		Duration drain, long drained, List<AbandonedRequest> abandoned, Duration tasksWait, Tasks tasks,
		Duration messagesWait, Messages messages, Duration close) {

	/** {@return the one line an operator reads to know how this instance stopped} */
	public String summary() {
		return "Shutdown complete in " + human(this.total) + " (budget " + human(this.budget) + "): refuse +"
				+ human(Duration.between(this.started, this.phases.get(ShutdownPhase.REFUSE))) + ", delay "
				+ human(this.delay) + " (" + this.delayEnd.description + ", " + this.servedDuringDelay
				+ " requests arrived"
				+ ((this.newConnectionsDuringDelay != null) ? ", " + this.newConnectionsDuringDelay + " new connections" : "")
				+ "), drained " + this.drained + " in " + human(this.drain) + ", abandoned "
				+ this.abandoned.size() + ", " + this.tasks.summary(this.tasksWait)
				+ (this.messages.isEmpty() ? "" : ", " + this.messages.summary(this.messagesWait)) + ", close "
				+ human(this.close);
	}

	/** {@return whether the shutdown ended within the termination grace period} */
	public boolean withinBudget() {
		return this.total.compareTo(this.budget) <= 0;
	}

	static String human(Duration duration) {
		long millis = duration.toMillis();
		if (millis < 1000) {
			return millis + " ms";
		}
		double seconds = millis / 1000.0;
		return (seconds == Math.rint(seconds)) ? ((long) seconds) + " s" : String.format(Locale.ROOT, "%.1f s", seconds);
	}

	/**
	 * {@return the report as key/value pairs, named for log fields and dashboards} Durations
	 * are in milliseconds.
	 */
	public Map<String, Object> fields() {
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("lifecycle.shutdown.total_ms", this.total.toMillis());
		fields.put("lifecycle.shutdown.budget_ms", this.budget.toMillis());
		fields.put("lifecycle.shutdown.within_budget", withinBudget());
		fields.put("lifecycle.shutdown.delay_ms", this.delay.toMillis());
		fields.put("lifecycle.shutdown.delay_end", this.delayEnd.name().toLowerCase(Locale.ROOT));
		fields.put("lifecycle.shutdown.delay_arrivals", this.servedDuringDelay);
		if (this.newConnectionsDuringDelay != null) {
			fields.put("lifecycle.shutdown.delay_new_connections", this.newConnectionsDuringDelay);
		}
		fields.put("lifecycle.shutdown.drain_ms", this.drain.toMillis());
		fields.put("lifecycle.shutdown.drained", this.drained);
		fields.put("lifecycle.shutdown.abandoned", this.abandoned.size());
		fields.put("lifecycle.shutdown.tasks_wait_ms", this.tasksWait.toMillis());
		fields.put("lifecycle.shutdown.tasks_finished", this.tasks.finished());
		fields.put("lifecycle.shutdown.tasks_interrupted", this.tasks.interrupted().size());
		fields.put("lifecycle.shutdown.tasks_not_started", this.tasks.notStarted());
		if (!this.messages.isEmpty()) {
			fields.put("lifecycle.shutdown.messages_wait_ms", this.messagesWait.toMillis());
			fields.put("lifecycle.shutdown.messages_finished", this.messages.finished());
			fields.put("lifecycle.shutdown.messages_redelivered", this.messages.redelivered());
		}
		fields.put("lifecycle.shutdown.close_ms", this.close.toMillis());
		return fields;
	}

	/** Why the delay phase ended. */
	public enum DelayEnd {

		/** The delay has not ended yet. */
		PENDING("in progress"),

		/** The full delay elapsed. */
		ELAPSED("elapsed"),

		/** Past the floor, nothing new arrived for the quiet period. */
		QUIET("quiet period reached"),

		/** The application never accepted traffic, so nothing had to move away. */
		SKIPPED_NEVER_READY("skipped, never ready"),

		/** The delay is zero. */
		NONE("none"),

		/** The closing thread was interrupted. */
		INTERRUPTED("interrupted");

		private final String description;

		DelayEnd(String description) {
			this.description = description;
		}

	}

	/**
	 * A request cut at the end of the drain.
	 *
	 * @param method HTTP method
	 * @param path request path, without the query string
	 * @param age how long it had been running when it was abandoned
	 */
	public record AbandonedRequest(String method, String path, Duration age) {

		@Override
		public String toString() {
			return this.method + " " + this.path + " after " + human(this.age);
		}

	}

	/**
	 * Scheduled jobs and async tasks during one shutdown.
	 *
	 * @param finished runs that ended by themselves after shutdown began
	 * @param finishedByName the same, by task name
	 * @param interrupted runs still in progress at the deadline, longest first
	 * @param neverStarted tasks still queued at the deadline, by executor: they never ran
	 */
	public record Tasks(long finished, Map<String, Long> finishedByName, List<InterruptedTask> interrupted,
			Map<String, Integer> neverStarted) {

		/** Nothing ran, or the shutdown has not reached the deadline yet. */
		public static final Tasks NONE = new Tasks(0, Map.of(), List.of(), Map.of());

		/** {@return the tasks still queued at the deadline, all executors together} */
		public int notStarted() {
			return this.neverStarted.values().stream().mapToInt(Integer::intValue).sum();
		}

		String summary(Duration waited) {
			StringBuilder summary = new StringBuilder("tasks finished ").append(this.finished);
			if (!this.finishedByName.isEmpty()) {
				StringBuilder names = new StringBuilder();
				this.finishedByName.forEach((name, count) -> names.append((names.length() > 0) ? ", " : "")
					.append(name)
					.append((count > 1) ? " x" + count : ""));
				summary.append(" (").append(names).append(')');
			}
			boolean anyTask = this.finished > 0 || !this.interrupted.isEmpty() || notStarted() > 0;
			if (anyTask && waited.toMillis() > 0) {
				summary.append(" waited ").append(human(waited)).append(" after the drain");
			}
			summary.append(", interrupted ").append(this.interrupted.size());
			if (!this.interrupted.isEmpty()) {
				summary.append(' ').append(this.interrupted);
			}
			int notStarted = notStarted();
			if (notStarted > 0) {
				summary.append(", never started ").append(notStarted).append(' ').append(this.neverStarted);
			}
			return summary.toString();
		}

	}

	/**
	 * A scheduled job or async task still running at the shutdown's deadline, and
	 * interrupted.
	 *
	 * @param name the job's or task's method, {@code Jobs.nightlyExport}
	 * @param executor the bean name of the executor or scheduler it ran on
	 * @param age how long it had been running when it was interrupted
	 * @param stopped whether it ended after the interrupt; if not, it was still running
	 * when the process exited
	 */
	public record InterruptedTask(String name, String executor, Duration age, boolean stopped) {

		@Override
		public String toString() {
			return this.name + " on " + this.executor + " after " + human(this.age)
					+ (this.stopped ? "" : " (ignored the interrupt, still running at exit)");
		}

	}

	/**
	 * Messages during one shutdown, all brokers together and per listener container.
	 *
	 * @param finished messages listeners finished after shutdown began
	 * @param redelivered messages left to the broker unacknowledged or uncommitted, for
	 * another consumer
	 * @param listeners per listener container, once the deadline passed; empty before
	 */
	public record Messages(long finished, long redelivered, List<ListenerOutcome> listeners) {

		/** No listener container, or none stopped. */
		public static final Messages NONE = new Messages(0, 0, List.of());

		static Messages of(List<ListenerOutcome> listeners) {
			return new Messages(listeners.stream().mapToLong(ListenerOutcome::finished).sum(),
					listeners.stream().mapToLong(ListenerOutcome::redelivered).sum(), List.copyOf(listeners));
		}

		/**
		 * {@return the messages one broker's listeners left for redelivery}
		 * @param broker the broker
		 */
		public long redelivered(String broker) {
			return this.listeners.stream()
				.filter((listener) -> listener.broker().equals(broker))
				.mapToLong(ListenerOutcome::redelivered)
				.sum();
		}

		/** {@return whether no listener took part} */
		public boolean isEmpty() {
			return this.finished == 0 && this.redelivered == 0 && this.listeners.isEmpty();
		}

		String summary(Duration waited) {
			StringBuilder summary = new StringBuilder("messages finished ").append(this.finished);
			if (waited.toMillis() > 0) {
				summary.append(" waited ").append(human(waited)).append(" after the tasks");
			}
			summary.append(", redelivered ").append(this.redelivered);
			List<ListenerOutcome> cut = this.listeners.stream()
				.filter((listener) -> listener.redelivered() > 0 || !listener.stopped())
				.toList();
			if (!cut.isEmpty()) {
				summary.append(' ').append(cut);
			}
			return summary.toString();
		}

	}

	/**
	 * One message listener container during the shutdown.
	 *
	 * @param broker {@code kafka} or {@code rabbitmq}
	 * @param listener the container's id, as the application named it
	 * @param finished messages its listener finished after shutdown began, acknowledged or
	 * committed
	 * @param redelivered messages it left to the broker: not acknowledged (RabbitMQ requeues
	 * them) or not committed (Kafka hands them to the next consumer of the partition)
	 * @param stopped whether the container stopped before the process exited; if not, a
	 * listener ignored its interrupt
	 */
	public record ListenerOutcome(String broker, String listener, long finished, long redelivered, boolean stopped) {

		@Override
		public String toString() {
			return this.broker + " " + this.listener + " redelivered " + this.redelivered
					+ (this.stopped ? "" : " (a listener ignored the interrupt, still running at exit)");
		}

	}

}
