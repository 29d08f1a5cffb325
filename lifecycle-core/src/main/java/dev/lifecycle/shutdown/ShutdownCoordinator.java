package dev.lifecycle.shutdown;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import dev.lifecycle.shutdown.ShutdownReport.AbandonedRequest;
import dev.lifecycle.shutdown.ShutdownReport.DelayEnd;
import dev.lifecycle.shutdown.ShutdownReport.InterruptedTask;
import dev.lifecycle.shutdown.ShutdownReport.ListenerOutcome;
import dev.lifecycle.shutdown.ShutdownReport.Messages;
import dev.lifecycle.shutdown.ShutdownReport.Tasks;

/**
 * Runs the shutdown sequence and keeps its timeline. The Spring glue in this package
 * calls it at each boundary; web stack adapters ask it whether to close connections.
 *
 * <pre>
 * context close ──► refuse() ──► delay() ──► drainStarted() ──► drainEnded() ──────────────► complete()
 *  (closing thread)   readiness     blocks up     Boot's graceful     abandon what still runs;    report
 *                     503; no new   to delay      shutdown begins;    wait for background tasks
 *                     scheduled                   request/reply       and message listeners up
 *                     job runs;                   listeners stop      to the deadline
 *                     consumers stop
 *                     taking messages
 * </pre>
 */
public final class ShutdownCoordinator {

	// SLF4J rather than commons-logging: the report's key/value pairs become fields in
	// Boot's structured logging (ECS, Logstash, GELF).
	private static final Logger logger = LoggerFactory.getLogger(ShutdownCoordinator.class);

	private final ShutdownBudget budget;

	private final InFlightRequests requests;

	private final NewConnections connections;

	private final BackgroundTasks tasks;

	private final MessageConsumers consumers;

	private final boolean connectionCloseEnabled;

	private final Map<ShutdownPhase, Long> phaseNanos = new EnumMap<>(ShutdownPhase.class);

	private volatile ShutdownPhase phase = ShutdownPhase.SERVING;

	private final List<Runnable> connectionClosings = new CopyOnWriteArrayList<>();

	private volatile boolean closingConnections;

	private long startedNanos;

	private Instant started = Instant.EPOCH;

	private DelayEnd delayEnd = DelayEnd.PENDING;

	private long arrivalsBeforeDelay;

	private long servedDuringDelay;

	private long connectionsBeforeDelay;

	private long newConnectionsDuringDelay;

	private long completedBeforeDrain;

	private long drained;

	private List<AbandonedRequest> abandoned = List.of();

	private Tasks tasksOutcome = Tasks.NONE;

	private Messages messagesOutcome = Messages.NONE;

	private volatile @Nullable ShutdownReport lastReport;

	/**
	 * Creates the coordinator of one process's shutdown.
	 *
	 * @param budget the budget each phase is bounded by
	 * @param requests the requests in flight
	 * @param connections the connections the web server accepts, the quiet period's
	 * evidence where the web server reports them
	 * @param connectionCloseEnabled whether responses carry {@code Connection: close} once
	 * shutdown begins
	 */
	public ShutdownCoordinator(ShutdownBudget budget, InFlightRequests requests, NewConnections connections,
			boolean connectionCloseEnabled) {
		this(budget, requests, connections, BackgroundTasks.withoutScheduledJobs(), connectionCloseEnabled);
	}

	/**
	 * Creates the coordinator of one process's shutdown, background work included.
	 *
	 * @param budget the budget each phase is bounded by
	 * @param requests the requests in flight
	 * @param connections the connections the web server accepts, the quiet period's
	 * evidence where the web server reports them
	 * @param tasks the scheduled jobs and async tasks, waited for up to the deadline
	 * @param connectionCloseEnabled whether responses carry {@code Connection: close} once
	 * shutdown begins
	 */
	public ShutdownCoordinator(ShutdownBudget budget, InFlightRequests requests, NewConnections connections,
			BackgroundTasks tasks, boolean connectionCloseEnabled) {
		this(budget, requests, connections, tasks, MessageConsumers.none(), connectionCloseEnabled);
	}

	/**
	 * Creates the coordinator of one process's shutdown, background work and message
	 * consumers included.
	 *
	 * @param budget the budget each phase is bounded by
	 * @param requests the requests in flight
	 * @param connections the connections the web server accepts, the quiet period's
	 * evidence where the web server reports them
	 * @param tasks the scheduled jobs and async tasks, waited for up to the deadline
	 * @param consumers the message listener containers, stopped when shutdown begins and
	 * waited for up to the deadline
	 * @param connectionCloseEnabled whether responses carry {@code Connection: close} once
	 * shutdown begins
	 */
	public ShutdownCoordinator(ShutdownBudget budget, InFlightRequests requests, NewConnections connections,
			BackgroundTasks tasks, MessageConsumers consumers, boolean connectionCloseEnabled) {
		this.budget = budget;
		this.requests = requests;
		this.connections = connections;
		this.tasks = tasks;
		this.consumers = consumers;
		this.connectionCloseEnabled = connectionCloseEnabled;
	}

	/** {@return whether responses should carry {@code Connection: close} now} */
	public boolean closesConnections() {
		return this.closingConnections;
	}

	/**
	 * Adds how a web server tells its clients to move, where the stack does not decide it
	 * per response: a lower keep-alive limit, a graceful GOAWAY to HTTP/2 connections (HTTP/2
	 * has no {@code Connection: close}). It runs once, when shutdown begins, if connections
	 * are to close.
	 *
	 * @param closing starts closing the server's connections, without blocking the caller
	 */
	public void whenClosingConnections(Runnable closing) {
		this.connectionClosings.add(closing);
	}

	/** {@return the phase the shutdown is in: {@code SERVING} until it begins} */
	public ShutdownPhase phase() {
		return this.phase;
	}

	/** {@return the budget each phase is bounded by} */
	public ShutdownBudget budget() {
		return this.budget;
	}

	/** {@return the requests in flight} */
	public InFlightRequests requests() {
		return this.requests;
	}

	/** {@return the scheduled jobs and async tasks} */
	public BackgroundTasks tasks() {
		return this.tasks;
	}

	/** {@return the message listener containers of every broker on the class path} */
	public MessageConsumers consumers() {
		return this.consumers;
	}

	/** {@return the report of the shutdown of this process, once it is complete} */
	public @Nullable ShutdownReport lastReport() {
		return this.lastReport;
	}

	/** Phase 1: the context started closing and readiness refuses traffic. */
	void refuse() {
		long deadline;
		synchronized (this) {
			if (this.phase != ShutdownPhase.SERVING) {
				return;
			}
			this.startedNanos = System.nanoTime();
			this.started = Instant.now();
			enter(ShutdownPhase.REFUSE);
			// First: readiness already answers 503 (Boot flips it before the context closes),
			// and a request that follows must be told to move.
			this.closingConnections = this.connectionCloseEnabled;
			if (this.closingConnections) {
				this.connectionClosings.forEach(Runnable::run);
			}
			logger.info("Shutdown initiated: readiness is REFUSING_TRAFFIC; budget " + this.budget.terminationGracePeriod());
			// Jobs need no routing: they stop being triggered now, and those running go on.
			this.tasks.shutdownBegan();
			int running = this.tasks.count();
			if (running > 0) {
				logger.info("{} scheduled job(s) or async task(s) in progress get until {} after shutdown began to finish",
						running, ShutdownBudget.Setting.format(this.budget.deadline()));
			}
			deadline = deadlineNanos();
		}
		// Consumers need no routing either: they stop taking messages now and finish what
		// they hold beside the delay. Outside the lock: stopping a container talks to its broker.
		int holding = this.consumers.inProgress();
		int stopping = this.consumers.stopConsuming(deadline);
		if (stopping > 0) {
			logger.info("Stopping {} message listener container(s): {} message(s) in progress get until {} after "
					+ "shutdown began to finish", stopping, holding, ShutdownBudget.Setting.format(this.budget.deadline()));
		}
	}

	private synchronized long deadlineNanos() {
		return this.startedNanos + this.budget.deadline().toNanos();
	}

	/**
	 * Phase 2: keep serving while load balancers stop routing here. Blocks the closing
	 * thread for at most the configured delay.
	 * @param everAcceptedTraffic whether readiness was ever ACCEPTING_TRAFFIC; if not, no
	 * load balancer routes here and the delay is skipped
	 */
	void delay(boolean everAcceptedTraffic) {
		synchronized (this) {
			if (this.phase != ShutdownPhase.REFUSE) {
				return;
			}
			enter(ShutdownPhase.DELAY);
			this.arrivalsBeforeDelay = this.requests.started();
			this.connectionsBeforeDelay = this.connections.count();
		}
		Duration delay = this.budget.delay().value();
		DelayEnd end;
		if (!everAcceptedTraffic) {
			end = DelayEnd.SKIPPED_NEVER_READY;
		}
		else if (delay.isZero()) {
			end = DelayEnd.NONE;
		}
		else {
			logger.info("Serving for up to " + this.budget.delay().formatted()
					+ " more while load balancers stop routing here" + quietPeriodDescription());
			end = awaitDelay(delay);
		}
		synchronized (this) {
			this.delayEnd = end;
			this.servedDuringDelay = this.requests.started() - this.arrivalsBeforeDelay;
			this.newConnectionsDuringDelay = this.connections.count() - this.connectionsBeforeDelay;
		}
	}

	private String quietPeriodDescription() {
		ShutdownBudget.Setting quietPeriod = this.budget.quietPeriod();
		ShutdownBudget.Setting minDelay = this.budget.minDelay();
		if (quietPeriod == null || minDelay == null) {
			return "";
		}
		return " (or, after " + minDelay.formatted() + ", once no new "
				+ (this.connections.isObserved() ? "connection" : "request") + " arrived for "
				+ quietPeriod.formatted() + ")";
	}

	/**
	 * Waits out the delay. With a quiet period, the delay ends early once nothing new
	 * arrived for that long, and never before the floor: endpoint removal takes time to
	 * propagate even when traffic is low, and a short gap proves nothing before then. New
	 * connections are the evidence where the web server reports them; requests on
	 * keep-alive connections that already existed are not.
	 */
	private DelayEnd awaitDelay(Duration delay) {
		long delayStart = System.nanoTime();
		long deadline = delayStart + delay.toNanos();
		ShutdownBudget.Setting quietPeriod = this.budget.quietPeriod();
		ShutdownBudget.Setting minDelay = this.budget.minDelay();
		long floor = delayStart + ((minDelay != null) ? minDelay.value().toNanos() : 0);
		try {
			while (true) {
				long now = System.nanoTime();
				long wait = deadline - now;
				if (wait <= 0) {
					return DelayEnd.ELAPSED;
				}
				if (quietPeriod != null) {
					long quietSince = Math.max(delayStart, lastArrivalNanos());
					long quietEnd = Math.max(floor, quietSince + quietPeriod.value().toNanos());
					if (quietEnd - now <= 0) {
						return DelayEnd.QUIET;
					}
					wait = Math.min(wait, quietEnd - now);
				}
				TimeUnit.NANOSECONDS.sleep(wait);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return DelayEnd.INTERRUPTED;
		}
	}

	private long lastArrivalNanos() {
		return this.connections.isObserved() ? this.connections.lastAcceptedNanos() : this.requests.lastArrivalNanos();
	}

	/**
	 * Phase 3: Boot's graceful shutdown is about to stop accepting and drain. Long-lived
	 * streams end here (event streams complete, WebSocket sessions get 1001): they would
	 * otherwise hold the drain until its timeout.
	 */
	void drainStarted() {
		synchronized (this) {
			if (this.phase != ShutdownPhase.DELAY && this.phase != ShutdownPhase.REFUSE) {
				return;
			}
			enter(ShutdownPhase.DRAIN);
			this.completedBeforeDrain = this.requests.completed();
			int inFlight = this.requests.count();
			if (inFlight > 0) {
				logger.info("Draining {} in-flight request(s) for up to {}", inFlight,
						this.budget.drainTimeout().formatted());
			}
		}
		// Listeners that answer requests served like the web server; they stop with it.
		int answering = this.consumers.stopAnsweringRequests(deadlineNanos());
		if (answering > 0) {
			logger.info("Stopping {} message listener container(s) that answer requests", answering);
		}
		// Outside the lock: ending a stream runs the web stack's completion callbacks.
		int ended = this.requests.endStreams();
		if (ended > 0) {
			logger.info("Ending {} long-lived stream(s) (event streams, WebSocket sessions, gRPC streams); "
					+ "their clients reconnect elsewhere", ended);
		}
	}

	/**
	 * Phase 4: the drain is over; whatever still runs when the drain timeout runs out is
	 * abandoned. The web server's drain does not wait for everything in flight here: its
	 * completion callbacks can end the last requests a moment after it reports the drain
	 * complete (seen on Reactor Netty under load), and WebSocket sessions are not requests
	 * to it, so they are waited for here, within the drain timeout.
	 */
	void drainEnded() {
		try {
			this.requests.awaitNone(drainTimeLeft());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		abandonTheRest();
		awaitTasks();
		awaitMessages();
	}

	/**
	 * Phase 4b: scheduled jobs and async tasks have run beside the delay and the drain;
	 * what still runs gets until the deadline, then is interrupted. Tasks that ignore the
	 * interrupt are reported, and their executors stop waiting for them, so the process
	 * still exits inside the grace period.
	 */
	private void awaitTasks() {
		long deadline;
		synchronized (this) {
			if (this.phase != ShutdownPhase.ABANDON) {
				return;
			}
			enter(ShutdownPhase.TASKS);
			deadline = deadlineNanos();
		}
		Tasks outcome;
		try {
			outcome = this.tasks.await(deadline, interruptGrace());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			outcome = Tasks.NONE;
		}
		synchronized (this) {
			this.tasksOutcome = outcome;
			for (InterruptedTask task : outcome.interrupted()) {
				logger.warn("Interrupted {}: still running at the shutdown deadline ({} after shutdown began)", task,
						ShutdownBudget.Setting.format(this.budget.deadline()));
			}
			if (outcome.notStarted() > 0) {
				logger.warn("{} queued task(s) never started before the shutdown deadline: {}", outcome.notStarted(),
						outcome.neverStarted());
			}
			enter(ShutdownPhase.MESSAGES);
		}
	}

	/**
	 * Phase 4c: message listener containers stopped when shutdown began (or with the drain,
	 * for those that answer requests); those still finishing their messages get until the
	 * deadline, then their listeners are interrupted, and what they held goes back to the
	 * broker unacknowledged.
	 */
	private void awaitMessages() {
		synchronized (this) {
			if (this.phase != ShutdownPhase.MESSAGES) {
				return;
			}
		}
		Messages outcome;
		try {
			outcome = this.consumers.await(deadlineNanos(), interruptGrace());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			outcome = Messages.NONE;
		}
		synchronized (this) {
			this.messagesOutcome = outcome;
			for (ListenerOutcome listener : outcome.listeners()) {
				if (listener.redelivered() > 0 || !listener.stopped()) {
					logger.warn("Listener {}: {} message(s) left for redelivery at the shutdown deadline ({} after "
							+ "shutdown began){}", listener.broker() + " " + listener.listener(), listener.redelivered(),
							ShutdownBudget.Setting.format(this.budget.deadline()),
							listener.stopped() ? "" : "; a listener ignored its interrupt and still runs");
				}
			}
			enter(ShutdownPhase.CLOSE);
		}
	}

	/** A quarter of the margin, at most a second: interrupted tasks stop fast or not at all. */
	private Duration interruptGrace() {
		Duration quarter = this.budget.margin().value().dividedBy(4);
		return (quarter.compareTo(Duration.ofSeconds(1)) > 0) ? Duration.ofSeconds(1) : quarter;
	}

	private synchronized void abandonTheRest() {
		if (this.phase != ShutdownPhase.DRAIN) {
			return;
		}
		enter(ShutdownPhase.ABANDON);
		this.drained = this.requests.completed() - this.completedBeforeDrain;
		List<AbandonedRequest> cut = new ArrayList<>();
		for (InFlightRequests.Request request : this.requests.snapshot()) {
			AbandonedRequest abandonedRequest = new AbandonedRequest(request.method(), request.path(), request.age());
			cut.add(abandonedRequest);
			logger.warn("Abandoned {}: still running when the drain timeout ({}) ran out", abandonedRequest,
					this.budget.drainTimeout().formatted());
		}
		this.abandoned = Collections.unmodifiableList(cut);
	}

	/**
	 * Phase 6: the context is closed. Writes the report once.
	 * @return the report, or {@code null} if no shutdown began or it was already reported
	 */
	public synchronized @Nullable ShutdownReport complete() {
		if (this.phase == ShutdownPhase.SERVING || this.phase == ShutdownPhase.COMPLETE) {
			return null;
		}
		enter(ShutdownPhase.COMPLETE);
		ShutdownReport report = progress();
		this.lastReport = report;
		LoggingEventBuilder event = report.withinBudget() ? logger.atInfo() : logger.atWarn();
		report.fields().forEach(event::addKeyValue);
		event.log(report.withinBudget() ? report.summary()
				: report.summary() + "; over budget, Kubernetes would have killed the pod");
		return report;
	}

	/**
	 * The shutdown so far: the phases reached, with the current one counted up to now.
	 * @return the progress, or {@code null} while the application is serving
	 */
	public synchronized @Nullable ShutdownReport progress() {
		if (this.phase == ShutdownPhase.SERVING) {
			return null;
		}
		long now = System.nanoTime();
		return new ShutdownReport(this.started, timeline(), Duration.ofNanos(now - this.startedNanos),
				this.budget.terminationGracePeriod().value(), phaseDuration(ShutdownPhase.DELAY, now), this.delayEnd,
				servedDuringDelay(), newConnectionsDuringDelay(), phaseDuration(ShutdownPhase.DRAIN, now), drained(),
				this.abandoned, phaseDuration(ShutdownPhase.TASKS, now), tasksSoFar(),
				phaseDuration(ShutdownPhase.MESSAGES, now), messagesSoFar(), phaseDuration(ShutdownPhase.CLOSE, now));
	}

	/**
	 * {@return how long a phase lasted, or has lasted so far; zero if it was not reached}
	 *
	 * @param phase the phase
	 */
	public synchronized Duration phaseDuration(ShutdownPhase phase) {
		return phaseDuration(phase, System.nanoTime());
	}

	/** {@return the time since the shutdown began, up to its completion; zero while serving} */
	public synchronized Duration elapsed() {
		if (this.phase == ShutdownPhase.SERVING) {
			return Duration.ZERO;
		}
		long end = this.phaseNanos.getOrDefault(ShutdownPhase.COMPLETE, System.nanoTime());
		return Duration.ofNanos(end - this.startedNanos);
	}

	/** {@return when the shutdown began; {@link Instant#EPOCH} while serving} */
	public synchronized Instant startedAt() {
		return this.started;
	}

	/** {@return what is left of the drain timeout; zero outside the drain} */
	public synchronized Duration drainTimeLeft() {
		Long drainStart = this.phaseNanos.get(ShutdownPhase.DRAIN);
		if (this.phase != ShutdownPhase.DRAIN || drainStart == null) {
			return Duration.ZERO;
		}
		Duration left = this.budget.drainTimeout().value().minusNanos(System.nanoTime() - drainStart);
		return left.isNegative() ? Duration.ZERO : left;
	}

	/** {@return why the delay ended; {@code PENDING} until it has} */
	public synchronized DelayEnd delayEnd() {
		return this.delayEnd;
	}

	/** {@return the requests that arrived during the delay, so far} */
	public synchronized long servedDuringDelay() {
		if (this.phase == ShutdownPhase.DELAY && this.delayEnd == DelayEnd.PENDING) {
			return this.requests.started() - this.arrivalsBeforeDelay;
		}
		return this.servedDuringDelay;
	}

	/**
	 * {@return connections accepted during the delay, so far; {@code null} where the web
	 * server does not report them}
	 */
	public synchronized @Nullable Long newConnectionsDuringDelay() {
		if (!this.connections.isObserved()) {
			return null;
		}
		if (this.phase == ShutdownPhase.DELAY && this.delayEnd == DelayEnd.PENDING) {
			return this.connections.count() - this.connectionsBeforeDelay;
		}
		return this.newConnectionsDuringDelay;
	}

	/** {@return the requests that completed during the drain, so far} */
	public synchronized long drained() {
		return (this.phase == ShutdownPhase.DRAIN) ? this.requests.completed() - this.completedBeforeDrain
				: this.drained;
	}

	/**
	 * {@return the scheduled jobs and async tasks: those that finished so far, and once the
	 * deadline passed, those interrupted}
	 */
	public synchronized Tasks tasksSoFar() {
		if (this.phase.compareTo(ShutdownPhase.TASKS) > 0) {
			return this.tasksOutcome;
		}
		long finished = this.tasks.finished();
		return (finished == 0) ? Tasks.NONE : new Tasks(finished, Map.of(), List.of(), Map.of());
	}

	/**
	 * {@return the messages: those listeners finished so far, and once the deadline passed,
	 * what each listener container left for redelivery}
	 */
	public synchronized Messages messagesSoFar() {
		if (this.phase.compareTo(ShutdownPhase.MESSAGES) > 0) {
			return this.messagesOutcome;
		}
		long finished = this.consumers.finished();
		return (finished == 0) ? Messages.NONE : new Messages(finished, 0, List.of());
	}

	/** {@return the requests cut at the end of the drain} */
	public synchronized List<AbandonedRequest> abandoned() {
		return this.abandoned;
	}

	private void enter(ShutdownPhase next) {
		this.phaseNanos.put(next, System.nanoTime());
		this.phase = next;
	}

	private Duration phaseDuration(ShutdownPhase phase, long now) {
		Long start = this.phaseNanos.get(phase);
		if (start == null) {
			return Duration.ZERO;
		}
		for (ShutdownPhase later : ShutdownPhase.values()) {
			Long end = this.phaseNanos.get(later);
			if (later.compareTo(phase) > 0 && end != null) {
				return Duration.ofNanos(end - start);
			}
		}
		return Duration.ofNanos(now - start);
	}

	private Map<ShutdownPhase, Instant> timeline() {
		Map<ShutdownPhase, Instant> timeline = new EnumMap<>(ShutdownPhase.class);
		this.phaseNanos.forEach((phase, nanos) -> timeline.put(phase, this.started.plusNanos(nanos - this.startedNanos)));
		return Collections.unmodifiableMap(timeline);
	}

}
