package dev.lifecycle.autoconfigure.shutdown;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownReport;
import dev.lifecycle.shutdown.ShutdownReport.InterruptedTask;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scheduled jobs and async tasks through a real close of the context, on Boot's
 * auto-configured scheduler and executor and on an application's own executor. The
 * grace period is 4 s and the margin 1 s, so the deadline is 3 s after the close begins.
 */
class BackgroundTasksShutdownTests {

	private static final Duration DEADLINE = Duration.ofSeconds(3);

	private static final Duration GRACE = Duration.ofSeconds(4);

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ShutdownAutoConfiguration.class,
				ApplicationAvailabilityAutoConfiguration.class, LifecycleAutoConfiguration.class,
				TaskExecutionAutoConfiguration.class, TaskSchedulingAutoConfiguration.class))
		.withPropertyValues("lifecycle.termination-grace-period=4s", "lifecycle.shutdown.margin=1s");

	@AfterEach
	void release() {
		Work.reset();
	}

	@Test
	void aScheduledJobInProgressFinishesAndNoNewRunStarts() {
		Work.millis = 1500;
		this.contextRunner.withUserConfiguration(ScheduledJob.class).run((context) -> {
			assertThat(Work.started.await(10, TimeUnit.SECONDS)).isTrue();
			long closeStart = System.nanoTime();
			ShutdownReport report = close(context.getBean(ShutdownCoordinator.class), context::close);
			Duration close = Duration.ofNanos(System.nanoTime() - closeStart);
			assertThat(Work.finished.get()).as("the run finished").isEqualTo(1);
			assertThat(Work.runs.get()).as("no run started after shutdown began").isEqualTo(1);
			assertThat(Work.interrupts.get()).isZero();
			assertThat(report.tasks().finished()).isEqualTo(1);
			assertThat(report.tasks().finishedByName()).containsEntry("BackgroundTasksShutdownTests.ScheduledJob.work", 1L);
			assertThat(report.tasks().interrupted()).isEmpty();
			assertThat(close).isLessThan(GRACE);
			assertThat(report.summary()).contains("tasks finished 1 (BackgroundTasksShutdownTests.ScheduledJob.work)",
					"interrupted 0");
		});
	}

	@Test
	void aScheduledJobPastTheDeadlineIsInterruptedAndNamedWithItsAge() {
		Work.millis = 60_000;
		this.contextRunner.withUserConfiguration(ScheduledJob.class).run((context) -> {
			assertThat(Work.started.await(10, TimeUnit.SECONDS)).isTrue();
			long closeStart = System.nanoTime();
			ShutdownReport report = close(context.getBean(ShutdownCoordinator.class), context::close);
			Duration close = Duration.ofNanos(System.nanoTime() - closeStart);
			assertThat(Work.interrupts.get()).as("the job saw the interrupt").isEqualTo(1);
			assertThat(close).as("waited up to the deadline, closed inside the grace period")
				.isGreaterThanOrEqualTo(DEADLINE.minusMillis(100))
				.isLessThan(GRACE);
			assertThat(report.tasks().interrupted()).singleElement().satisfies((task) -> {
				assertThat(task.name()).isEqualTo("BackgroundTasksShutdownTests.ScheduledJob.work");
				assertThat(task.executor()).isEqualTo("taskScheduler");
				assertThat(task.age()).isGreaterThanOrEqualTo(DEADLINE.minusMillis(100));
				assertThat(task.stopped()).isTrue();
			});
			assertThat(report.tasks().finished()).isZero();
			assertThat(report.summary()).contains("interrupted 1 [BackgroundTasksShutdownTests.ScheduledJob.work "
					+ "on taskScheduler after");
		});
	}

	@Test
	void aJobThatIgnoresTheInterruptIsReportedAndTheCloseStillEndsInsideTheGracePeriod() {
		Work.millis = 60_000;
		Work.ignoreInterrupts = true;
		this.contextRunner.withUserConfiguration(ScheduledJob.class).run((context) -> {
			assertThat(Work.started.await(10, TimeUnit.SECONDS)).isTrue();
			long closeStart = System.nanoTime();
			ShutdownReport report = close(context.getBean(ShutdownCoordinator.class), context::close);
			Duration close = Duration.ofNanos(System.nanoTime() - closeStart);
			assertThat(Work.interrupts.get()).as("interrupted at least once").isPositive();
			assertThat(close).isLessThan(GRACE);
			assertThat(report.tasks().interrupted()).singleElement()
				.extracting(InterruptedTask::stopped)
				.isEqualTo(false);
			assertThat(report.summary()).contains("(ignored the interrupt, still running at exit)");
		});
	}

	@Test
	void anAsyncTaskInFlightFinishesAndIsNamedByItsMethod() {
		Work.millis = 1500;
		this.contextRunner.withUserConfiguration(AsyncTask.class).run((context) -> {
			context.getBean(AsyncTask.class).work();
			assertThat(Work.started.await(10, TimeUnit.SECONDS)).isTrue();
			ShutdownReport report = close(context.getBean(ShutdownCoordinator.class), context::close);
			assertThat(Work.finished.get()).isEqualTo(1);
			assertThat(report.tasks().finishedByName()).containsEntry("BackgroundTasksShutdownTests.AsyncTask.work", 1L);
			assertThat(report.tasks().interrupted()).isEmpty();
		});
	}

	@Test
	void queuedTasksOfTheApplicationsOwnExecutorRunBeforeTheDeadlineOrAreReportedAsNeverStarted() {
		Work.millis = 60_000;
		this.contextRunner.withUserConfiguration(OwnExecutor.class).run((context) -> {
			ThreadPoolTaskExecutor executor = context.getBean("reportExecutor", ThreadPoolTaskExecutor.class);
			for (int i = 0; i < 3; i++) {
				executor.execute(Work::run);
			}
			assertThat(Work.started.await(10, TimeUnit.SECONDS)).isTrue();
			ShutdownReport report = close(context.getBean(ShutdownCoordinator.class), context::close);
			assertThat(Work.runs.get()).as("one ran, two queued behind it").isEqualTo(1);
			assertThat(report.tasks().interrupted()).singleElement().satisfies((task) -> {
				assertThat(task.executor()).isEqualTo("reportExecutor");
				assertThat(task.name()).isEqualTo("BackgroundTasksShutdownTests.Work.run");
			});
			assertThat(report.tasks().neverStarted()).containsEntry("reportExecutor", 2);
			assertThat(OwnExecutor.decorated.get()).as("the executor's own decorator still applies").isEqualTo(3);
		});
	}

	private static ShutdownReport close(ShutdownCoordinator coordinator, Runnable close) {
		close.run();
		ShutdownReport report = coordinator.lastReport();
		assertThat(report).isNotNull();
		return report;
	}

	/** A job's body: takes its time, counts runs, interrupts and ends. */
	static final class Work {

		static volatile long millis;

		static volatile boolean ignoreInterrupts;

		static volatile CountDownLatch started = new CountDownLatch(1);

		/** Runs of an earlier test that ignore interrupts end when it changes. */
		static volatile int generation;

		static final AtomicInteger runs = new AtomicInteger();

		static final AtomicInteger finished = new AtomicInteger();

		static final AtomicInteger interrupts = new AtomicInteger();

		static void run() {
			int mine = generation;
			runs.incrementAndGet();
			started.countDown();
			long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
			while (generation == mine && end - System.nanoTime() > 0) {
				try {
					TimeUnit.MILLISECONDS.sleep(Math.min(20, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
				}
				catch (InterruptedException ex) {
					interrupts.incrementAndGet();
					if (!ignoreInterrupts) {
						return;
					}
				}
			}
			finished.incrementAndGet();
		}

		static void reset() {
			generation++;
			ignoreInterrupts = false;
			started = new CountDownLatch(1);
			runs.set(0);
			finished.set(0);
			interrupts.set(0);
			OwnExecutor.decorated.set(0);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableScheduling
	static class ScheduledJob {

		@Scheduled(fixedDelay = 10)
		void work() {
			Work.run();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	static class AsyncTask {

		@Async
		public void work() {
			Work.run();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnExecutor {

		static final AtomicInteger decorated = new AtomicInteger();

		@Bean
		ThreadPoolTaskExecutor reportExecutor() {
			ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
			executor.setCorePoolSize(1);
			executor.setMaxPoolSize(1);
			TaskDecorator counting = (task) -> {
				decorated.incrementAndGet();
				return task;
			};
			executor.setTaskDecorator(counting);
			return executor;
		}

	}

}
