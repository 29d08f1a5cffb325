package dev.lifecycle.shutdown;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.lifecycle.shutdown.ShutdownBudget.Setting;
import dev.lifecycle.shutdown.ShutdownReport.ListenerOutcome;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shutdown sequence with message listener containers of a broker simulated in
 * memory: consumers stop when shutdown begins, those answering requests with the drain;
 * what runs past the deadline is interrupted and counted for redelivery. The grace period
 * is 3 s and the margin 1 s: the deadline is 2 s after shutdown began.
 */
class MessageListenersTests {

	private final FakeListeners listeners = new FakeListeners();

	private final ShutdownCoordinator coordinator = new ShutdownCoordinator(budget(), new InFlightRequests(),
			new NewConnections(), BackgroundTasks.withoutScheduledJobs(),
			new MessageConsumers(() -> Stream.of(this.listeners)), true);

	@AfterEach
	void stopWorkers() {
		this.listeners.containers.forEach(FakeContainer::kill);
	}

	@Test
	void consumersStopTakingMessagesWhenShutdownBeginsAndFinishWhatTheyHold() throws Exception {
		FakeContainer orders = this.listeners.add("orders", 300, false);
		orders.awaitWorking();
		this.coordinator.refuse();
		assertThat(orders.stopRequestedNanos).as("stopped at refuse, beside the delay").isPositive();
		this.coordinator.delay(true);
		ShutdownReport report = finish();
		assertThat(report.messages().listeners()).containsExactly(new ListenerOutcome("fake", "orders", 1, 0, true));
		assertThat(orders.interrupted).isFalse();
		assertThat(report.summary()).contains("messages finished 1", "redelivered 0");
		assertThat(report.fields()).containsEntry("lifecycle.shutdown.messages_finished", 1L)
			.containsEntry("lifecycle.shutdown.messages_redelivered", 0L);
	}

	@Test
	void aListenerThatAnswersRequestsStopsWithTheDrainNotBefore() throws Exception {
		FakeContainer rpc = this.listeners.add("quotes", 100, true);
		FakeContainer orders = this.listeners.add("orders", 100, false);
		rpc.awaitWorking();
		orders.awaitWorking();
		this.coordinator.refuse();
		assertThat(orders.stopRequestedNanos).isPositive();
		assertThat(rpc.stopRequestedNanos).as("still answering during the delay").isZero();
		this.coordinator.delay(true);
		this.coordinator.drainStarted();
		assertThat(rpc.stopRequestedNanos).isPositive();
		this.coordinator.drainEnded();
		ShutdownReport report = this.coordinator.complete();
		assertThat(report.messages().listeners()).extracting(ListenerOutcome::listener).containsExactly("orders", "quotes");
	}

	@Test
	void aListenerStillRunningAtTheDeadlineIsInterruptedAndItsMessageLeftForRedelivery() throws Exception {
		FakeContainer orders = this.listeners.add("orders", 60_000, false);
		orders.awaitWorking();
		long start = System.nanoTime();
		this.coordinator.refuse();
		this.coordinator.delay(true);
		ShutdownReport report = finish();
		Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
		assertThat(orders.interrupted).isTrue();
		assertThat(elapsed).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(3));
		assertThat(report.messages().listeners()).containsExactly(new ListenerOutcome("fake", "orders", 0, 1, true));
		assertThat(report.summary()).contains("messages finished 0", "redelivered 1 [fake orders redelivered 1]");
	}

	@Test
	void aListenerThatIgnoresTheInterruptIsReportedStillRunning() throws Exception {
		FakeContainer orders = this.listeners.add("orders", 60_000, false);
		orders.ignoresInterrupts = true;
		orders.awaitWorking();
		this.coordinator.refuse();
		this.coordinator.delay(true);
		ShutdownReport report = finish();
		assertThat(report.messages().listeners()).containsExactly(new ListenerOutcome("fake", "orders", 0, 1, false));
		assertThat(report.summary()).contains("a listener ignored the interrupt, still running at exit");
	}

	@Test
	void withoutListenersTheReportSaysNothingOfMessages() {
		ShutdownCoordinator plain = new ShutdownCoordinator(budget(), new InFlightRequests(), new NewConnections(), true);
		plain.refuse();
		plain.delay(true);
		plain.drainStarted();
		plain.drainEnded();
		ShutdownReport report = plain.complete();
		assertThat(report.summary()).doesNotContain("messages");
		assertThat(report.fields()).doesNotContainKey("lifecycle.shutdown.messages_finished");
	}

	private ShutdownReport finish() {
		this.coordinator.drainStarted();
		this.coordinator.drainEnded();
		return this.coordinator.complete();
	}

	private static ShutdownBudget budget() {
		return new ShutdownBudget(new Setting("lifecycle.termination-grace-period", Duration.ofSeconds(3), "test"),
				new Setting("lifecycle.shutdown.delay", Duration.ofMillis(200), "test"), null, null,
				new Setting("lifecycle.shutdown.drain-timeout", Duration.ofSeconds(1), "test"),
				new Setting("lifecycle.shutdown.margin", Duration.ofSeconds(1), "test"));
	}

	/** A container whose one consumer thread works on one message after another. */
	static final class FakeContainer {

		final String id;

		final boolean answersRequests;

		final long workMillis;

		volatile boolean running = true;

		volatile boolean ignoresInterrupts;

		volatile boolean interrupted;

		volatile long stopRequestedNanos;

		volatile Runnable stopped;

		Thread consumer;

		ListenerActivity activity;

		FakeContainer(String id, long workMillis, boolean answersRequests) {
			this.id = id;
			this.workMillis = workMillis;
			this.answersRequests = answersRequests;
		}

		void consume(ListenerActivity activity) {
			while (this.running) {
				ListenerActivity.Delivery delivery = activity.started(this.id, 1, this.answersRequests);
				boolean success = work();
				activity.ended(delivery, success);
			}
			Runnable callback = this.stopped;
			if (callback != null) {
				callback.run();
			}
		}

		private boolean work() {
			long end = System.nanoTime() + Duration.ofMillis(this.workMillis).toNanos();
			while (System.nanoTime() < end) {
				try {
					Thread.sleep(Math.max(1, Duration.ofNanos(end - System.nanoTime()).toMillis()));
				}
				catch (InterruptedException ex) {
					this.interrupted = true;
					if (!this.ignoresInterrupts) {
						this.running = false;
						return false;
					}
				}
			}
			return true;
		}

		void awaitWorking() throws InterruptedException {
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (this.activity.inFlight(this.id).isEmpty() && System.nanoTime() < deadline) {
				Thread.sleep(5);
			}
			assertThat(this.activity.inFlight(this.id)).as("%s took a message", this.id).isNotEmpty();
		}

		void kill() {
			this.ignoresInterrupts = false;
			this.running = false;
			this.consumer.interrupt();
		}

	}

	static final class FakeListeners extends MessageListeners<FakeContainer> {

		final List<FakeContainer> containers = new CopyOnWriteArrayList<>();

		FakeListeners() {
			super("fake");
		}

		FakeContainer add(String id, long workMillis, boolean answersRequests) {
			FakeContainer container = new FakeContainer(id, workMillis, answersRequests);
			container.activity = activity();
			container.consumer = new Thread(() -> container.consume(activity()), id + "-consumer");
			container.consumer.start();
			this.containers.add(container);
			return container;
		}

		@Override
		protected Collection<FakeContainer> containers() {
			return this.containers;
		}

		@Override
		protected String id(FakeContainer container) {
			return container.id;
		}

		@Override
		protected boolean isRunning(FakeContainer container) {
			return container.running && container.stopRequestedNanos == 0;
		}

		@Override
		protected boolean receivesReplies(FakeContainer container) {
			return false;
		}

		@Override
		protected void stop(FakeContainer container, Duration untilDeadline, Runnable stopped) {
			container.stopped = stopped;
			container.stopRequestedNanos = System.nanoTime();
			container.running = false;
		}

	}

}
