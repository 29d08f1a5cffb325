package dev.lifecycle.shutdown;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.lifecycle.shutdown.ShutdownBudget.Setting;
import dev.lifecycle.shutdown.ShutdownReport.DelayEnd;

import static org.assertj.core.api.Assertions.assertThat;

class ShutdownCoordinatorTests {

	private final InFlightRequests requests = new InFlightRequests();

	private final NewConnections connections = new NewConnections();

	private Duration minDelay = Duration.ZERO;

	private Duration drainTimeout = Duration.ofSeconds(20);

	private final ScheduledExecutorService clients = Executors.newSingleThreadScheduledExecutor();

	@AfterEach
	void stopClients() {
		this.clients.shutdownNow();
	}

	@Test
	void phasesFollowTheSequenceAndTheReportTellsTheStory() {
		ShutdownCoordinator coordinator = coordinator(Duration.ofMillis(200), null);
		InFlightRequests.Request slow = this.requests.begin("GET", "/work");
		coordinator.refuse();
		assertThat(coordinator.phase()).isEqualTo(ShutdownPhase.REFUSE);
		assertThat(coordinator.closesConnections()).isTrue();
		coordinator.delay(true);
		coordinator.drainStarted();
		assertThat(coordinator.phase()).isEqualTo(ShutdownPhase.DRAIN);
		slow.end();
		coordinator.drainEnded();
		assertThat(coordinator.phase()).isEqualTo(ShutdownPhase.CLOSE);
		ShutdownReport report = coordinator.complete();
		assertThat(coordinator.phase()).isEqualTo(ShutdownPhase.COMPLETE);
		assertThat(report.delay()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
		assertThat(report.delayEnd()).isEqualTo(DelayEnd.ELAPSED);
		assertThat(report.drained()).isEqualTo(1);
		assertThat(report.abandoned()).isEmpty();
		assertThat(report.phases().keySet()).containsExactly(ShutdownPhase.REFUSE, ShutdownPhase.DELAY,
				ShutdownPhase.DRAIN, ShutdownPhase.ABANDON, ShutdownPhase.TASKS, ShutdownPhase.MESSAGES,
				ShutdownPhase.CLOSE, ShutdownPhase.COMPLETE);
		assertThat(report.summary()).matches("Shutdown complete in \\d+ ms \\(budget 30 s\\): refuse \\+0 ms, "
				+ "delay 2\\d\\d ms \\(elapsed, 0 requests arrived\\), drained 1 in \\d+ ms, abandoned 0, "
				+ "tasks finished 0, interrupted 0, close \\d+ ms");
		assertThat(coordinator.complete()).as("reported once").isNull();
		assertThat(coordinator.lastReport()).isSameAs(report);
	}

	@Test
	void requestsStillRunningWhenTheDrainEndsAreAbandonedWithMethodPathAndAge() {
		this.drainTimeout = Duration.ofMillis(200);
		ShutdownCoordinator coordinator = coordinator(Duration.ZERO, null);
		this.requests.begin("POST", "/orders");
		coordinator.refuse();
		coordinator.delay(true);
		coordinator.drainStarted();
		coordinator.drainEnded();
		ShutdownReport report = coordinator.complete();
		assertThat(report.abandoned()).singleElement().satisfies((abandoned) -> {
			assertThat(abandoned.method()).isEqualTo("POST");
			assertThat(abandoned.path()).isEqualTo("/orders");
			assertThat(abandoned.age()).isPositive();
		});
		assertThat(report.drained()).isZero();
		assertThat(report.delayEnd()).isEqualTo(DelayEnd.NONE);
	}

	@Test
	void aRequestEndingJustAfterTheServerReportedItsDrainIsDrainedNotAbandoned() {
		ShutdownCoordinator coordinator = coordinator(Duration.ZERO, null);
		InFlightRequests.Request late = this.requests.begin("GET", "/work");
		coordinator.refuse();
		coordinator.delay(true);
		coordinator.drainStarted();
		this.clients.schedule(late::end, 100, TimeUnit.MILLISECONDS);
		coordinator.drainEnded();
		ShutdownReport report = coordinator.complete();
		assertThat(report.abandoned()).isEmpty();
		assertThat(report.drained()).isEqualTo(1);
	}

	@Test
	void webSocketSessionsAreClosedGoingAwayWhenTheDrainBeginsAndWaitedForWithinTheDrainTimeout() {
		ShutdownCoordinator coordinator = coordinator(Duration.ZERO, null);
		WebSocketSessions sessions = new WebSocketSessions(this.requests, true);
		AtomicReference<InFlightRequests.Request> session = new AtomicReference<>();
		AtomicInteger goingAway = new AtomicInteger();
		// As a server does: the close frame goes out, the session ends once the client answers.
		session.set(sessions.opened("/ws/echo", () -> {
			goingAway.incrementAndGet();
			this.clients.schedule(() -> session.get().end(), 300, TimeUnit.MILLISECONDS);
		}));
		coordinator.refuse();
		coordinator.delay(true);
		assertThat(goingAway).as("sessions keep running during the delay").hasValue(0);
		coordinator.drainStarted();
		assertThat(goingAway).hasValue(1);
		coordinator.drainEnded();
		ShutdownReport report = coordinator.complete();
		assertThat(report.drained()).isEqualTo(1);
		assertThat(report.abandoned()).isEmpty();
	}

	@Test
	void aWebSocketSessionStillOpenAtTheDrainTimeoutIsAbandonedAndReported() {
		this.drainTimeout = Duration.ofMillis(300);
		ShutdownCoordinator coordinator = coordinator(Duration.ZERO, null);
		new WebSocketSessions(this.requests, true).opened("/ws/echo", () -> {
		});
		coordinator.refuse();
		coordinator.delay(true);
		long drainStart = System.nanoTime();
		coordinator.drainStarted();
		coordinator.drainEnded();
		assertThat(Duration.ofNanos(System.nanoTime() - drainStart)).as("waited out the drain timeout")
			.isGreaterThanOrEqualTo(this.drainTimeout.minusMillis(20));
		ShutdownReport report = coordinator.complete();
		assertThat(report.abandoned()).singleElement().satisfies((abandoned) -> {
			assertThat(abandoned.method()).isEqualTo(WebSocketSessions.METHOD);
			assertThat(abandoned.path()).isEqualTo("/ws/echo");
		});
		assertThat(report.summary()).contains("abandoned 1");
	}

	@Test
	void withGoingAwayOffTheDrainLeavesWebSocketSessionsOpenButCountsThem() {
		this.drainTimeout = Duration.ofMillis(100);
		ShutdownCoordinator coordinator = coordinator(Duration.ZERO, null);
		AtomicInteger goingAway = new AtomicInteger();
		new WebSocketSessions(this.requests, false).opened("/ws/echo", goingAway::incrementAndGet);
		coordinator.refuse();
		coordinator.delay(true);
		ShutdownReport report = finish(coordinator);
		assertThat(goingAway).hasValue(0);
		assertThat(report.abandoned()).hasSize(1);
	}

	@Test
	void quietPeriodEndsTheDelayEarlyWhenNoRequestArrives() {
		ShutdownCoordinator coordinator = coordinator(Duration.ofSeconds(20), Duration.ofMillis(200));
		coordinator.refuse();
		long start = System.nanoTime();
		coordinator.delay(true);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
		coordinator.drainStarted();
		coordinator.drainEnded();
		assertThat(coordinator.complete().delayEnd()).isEqualTo(DelayEnd.QUIET);
	}

	@Test
	void theQuietPeriodNeverEndsTheDelayBeforeTheFloor() {
		this.minDelay = Duration.ofSeconds(1);
		this.connections.observed();
		ShutdownCoordinator coordinator = coordinator(Duration.ofSeconds(10), Duration.ofMillis(100));
		coordinator.refuse();
		long start = System.nanoTime();
		coordinator.delay(true);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1))
			.isLessThan(Duration.ofSeconds(5));
		assertThat(finish(coordinator).delayEnd()).isEqualTo(DelayEnd.QUIET);
	}

	@Test
	void requestsOnConnectionsThatAlreadyExistedDoNotHoldTheDelay() {
		this.minDelay = Duration.ofMillis(500);
		this.connections.observed();
		this.clients.scheduleAtFixedRate(() -> this.requests.begin("GET", "/hello").end(), 0, 50,
				TimeUnit.MILLISECONDS);
		ShutdownCoordinator coordinator = coordinator(Duration.ofSeconds(10), Duration.ofMillis(300));
		coordinator.refuse();
		long start = System.nanoTime();
		coordinator.delay(true);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
		ShutdownReport report = finish(coordinator);
		assertThat(report.delayEnd()).isEqualTo(DelayEnd.QUIET);
		assertThat(report.servedDuringDelay()).isPositive();
		assertThat(report.newConnectionsDuringDelay()).isZero();
		assertThat(report.summary()).contains("requests arrived, 0 new connections)");
	}

	@Test
	void newConnectionsHoldTheDelayToItsMaximum() {
		this.connections.observed();
		this.clients.scheduleAtFixedRate(this.connections::accepted, 0, 50, TimeUnit.MILLISECONDS);
		ShutdownCoordinator coordinator = coordinator(Duration.ofMillis(800), Duration.ofMillis(300));
		coordinator.refuse();
		coordinator.delay(true);
		ShutdownReport report = finish(coordinator);
		assertThat(report.delayEnd()).isEqualTo(DelayEnd.ELAPSED);
		assertThat(report.delay()).isGreaterThanOrEqualTo(Duration.ofMillis(800));
		assertThat(report.newConnectionsDuringDelay()).isGreaterThan(3);
	}

	@Test
	void arrivingRequestsHoldTheDelayUntilItsEnd() {
		ShutdownCoordinator coordinator = coordinator(Duration.ofMillis(800), Duration.ofMillis(300));
		this.clients.scheduleAtFixedRate(() -> this.requests.begin("GET", "/hello").end(), 0, 50,
				TimeUnit.MILLISECONDS);
		coordinator.refuse();
		coordinator.delay(true);
		coordinator.drainStarted();
		coordinator.drainEnded();
		ShutdownReport report = coordinator.complete();
		assertThat(report.delayEnd()).isEqualTo(DelayEnd.ELAPSED);
		assertThat(report.delay()).isGreaterThanOrEqualTo(Duration.ofMillis(800));
		assertThat(report.servedDuringDelay()).isGreaterThan(3);
	}

	@Test
	void anApplicationThatNeverAcceptedTrafficSkipsTheDelay() {
		ShutdownCoordinator coordinator = coordinator(Duration.ofSeconds(20), null);
		coordinator.refuse();
		long start = System.nanoTime();
		coordinator.delay(false);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
		coordinator.drainStarted();
		coordinator.drainEnded();
		assertThat(coordinator.complete().delayEnd()).isEqualTo(DelayEnd.SKIPPED_NEVER_READY);
	}

	@Test
	void connectionCloseCanBeTurnedOff() {
		ShutdownCoordinator coordinator = new ShutdownCoordinator(budget(Duration.ZERO, null), this.requests,
				this.connections, false);
		coordinator.refuse();
		assertThat(coordinator.closesConnections()).isFalse();
	}

	@Test
	void drainBoundariesOutsideAShutdownDoNothing() {
		ShutdownCoordinator coordinator = coordinator(Duration.ZERO, null);
		coordinator.drainStarted();
		coordinator.drainEnded();
		assertThat(coordinator.phase()).isEqualTo(ShutdownPhase.SERVING);
		assertThat(coordinator.complete()).isNull();
	}

	private static ShutdownReport finish(ShutdownCoordinator coordinator) {
		coordinator.drainStarted();
		coordinator.drainEnded();
		return coordinator.complete();
	}

	private ShutdownCoordinator coordinator(Duration delay, Duration quietPeriod) {
		return new ShutdownCoordinator(budget(delay, quietPeriod), this.requests, this.connections, true);
	}

	private ShutdownBudget budget(Duration delay, Duration quietPeriod) {
		return new ShutdownBudget(new Setting("lifecycle.termination-grace-period", Duration.ofSeconds(30), "default"),
				new Setting("lifecycle.shutdown.delay", delay, "test"),
				(quietPeriod != null) ? new Setting("lifecycle.shutdown.quiet-period", quietPeriod, "test") : null,
				(quietPeriod != null) ? new Setting("lifecycle.shutdown.min-delay", this.minDelay, "test") : null,
				new Setting("lifecycle.shutdown.drain-timeout", this.drainTimeout, "test"),
				new Setting("lifecycle.shutdown.margin", Duration.ofSeconds(2), "default"));
	}

}
