package dev.lifecycle.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.SampleProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Scheduled jobs and {@code @Async} jobs of the packaged sample app through a real SIGTERM:
 * a job that fits the grace period finishes, one that does not is interrupted at the
 * deadline (grace period less margin) and named in the report, and the process always
 * exits inside the grace period.
 */
class BackgroundWorkProcessIT {

	private static final int SIGTERM_EXIT_CODE = 128 + 15;

	/** Grace period 8 s and the default margin of 2 s: the deadline is 6 s after SIGTERM. */
	private static final String SHORT_GRACE = "lifecycle.termination-grace-period=8s";

	@Test
	void aScheduledJobThatFitsTheGracePeriodFinishesAndTheProcessExitsRightAfterIt() throws Exception {
		// Launched, not awaited: the job starts with the scheduler, before the app is ready.
		try (SampleProcess app = SampleProcess.launch("lifecycle.warmup.enabled=false", "sample.job.duration=12s",
				"sample.job.interval=1h")) {
			awaitOutput(app, "Job report-1 started");
			TimeUnit.SECONDS.sleep(1);
			Duration exit = terminate(app);
			System.out.printf("12 s scheduled job, SIGTERM 1 s in: exit after %d ms%n", exit.toMillis());
			assertThat(app.output()).containsPattern("Job report-1 finished after 1[2-9]\\d\\d\\d ms")
				.contains("tasks finished 1 (ScheduledReport.report)",
					"interrupted 0")
				.doesNotContain("Job report-2 started", "Job report-1 interrupted");
			assertThat(exit).as("the job's 11 s left, then a prompt close")
				.isGreaterThan(Duration.ofSeconds(10))
				.isLessThan(Duration.ofSeconds(15));
		}
	}

	@Test
	void aScheduledJobLongerThanTheBudgetIsInterruptedAtTheDeadlineAndNamed() throws Exception {
		try (SampleProcess app = SampleProcess.start(SHORT_GRACE, "sample.job.duration=60s")) {
			awaitOutput(app, "Job report-1 started");
			Duration exit = terminate(app);
			System.out.printf("60 s scheduled job, grace period 8 s: exit after %d ms%n", exit.toMillis());
			assertThat(exit).isGreaterThan(Duration.ofMillis(5900)).isLessThan(Duration.ofSeconds(8));
			assertThat(app.output()).contains("Job report-1 interrupted after",
					"Interrupted ScheduledReport.report on taskScheduler after", "tasks finished 0", "interrupted 1");
		}
	}

	@Test
	void aScheduledJobThatIgnoresTheInterruptStillLetsTheProcessExitInsideTheGracePeriod() throws Exception {
		try (SampleProcess app = SampleProcess.start(SHORT_GRACE, "sample.job.duration=60s",
				"sample.job.ignore-interrupts=true")) {
			awaitOutput(app, "Job report-1 started");
			Duration exit = terminate(app);
			System.out.printf("60 s scheduled job ignoring interrupts, grace period 8 s: exit after %d ms%n",
					exit.toMillis());
			assertThat(exit).isLessThan(Duration.ofSeconds(8));
			assertThat(app.output()).contains("Job report-1 ignored an interrupt",
					"ScheduledReport.report on taskScheduler after", "(ignored the interrupt, still running at exit)")
				.doesNotContain("Job report-1 finished");
		}
	}

	@Test
	void anAsyncJobInFlightFinishes() throws Exception {
		try (SampleProcess app = SampleProcess.start()) {
			assertThat(app.post("/jobs?ms=3000").status()).isEqualTo(202);
			awaitOutput(app, "Job async-1 started");
			Duration exit = terminate(app);
			assertThat(app.output()).contains("Job async-1 finished after",
					"tasks finished 1 (JobsController.AsyncJobs.run)", "interrupted 0");
			assertThat(exit).isLessThan(Duration.ofSeconds(6));
		}
	}

	@Test
	void anAsyncJobLongerThanTheBudgetIsInterruptedAtTheDeadline() throws Exception {
		try (SampleProcess app = SampleProcess.start(SHORT_GRACE)) {
			assertThat(app.post("/jobs?ms=60000").status()).isEqualTo(202);
			awaitOutput(app, "Job async-1 started");
			Duration exit = terminate(app);
			assertThat(exit).isGreaterThan(Duration.ofMillis(5900)).isLessThan(Duration.ofSeconds(8));
			assertThat(app.output()).contains("Job async-1 interrupted after",
					"Interrupted JobsController.AsyncJobs.run on applicationTaskExecutor after", "interrupted 1");
		}
	}

	@Test
	void onVirtualThreadsJobsAndAsyncTasksGetTheSameSequence() throws Exception {
		String java25 = System.getenv("JAVA25_HOME");
		assumeTrue(java25 != null && Files.isExecutable(Path.of(java25, "bin", "java")),
				"JAVA25_HOME names no JDK 25: virtual threads are checked on Java 25 only");
		try (SampleProcess app = SampleProcess.startOn(Path.of(java25), SHORT_GRACE, "spring.threads.virtual.enabled=true",
				"sample.job.duration=3s", "sample.job.interval=1h")) {
			awaitOutput(app, "Job report-1 started");
			assertThat(app.post("/jobs?ms=60000").status()).isEqualTo(202);
			assertThat(app.post("/jobs?ms=60000&ignoreInterrupts=true").status()).isEqualTo(202);
			awaitOutput(app, "Job async-2 started");
			Duration exit = terminate(app);
			System.out.printf("Virtual threads on Java 25: exit after %d ms%n", exit.toMillis());
			assertThat(exit).isGreaterThan(Duration.ofMillis(5900)).isLessThan(Duration.ofSeconds(8));
			assertThat(app.output()).contains("Job report-1 finished after", "Job async-1 interrupted after",
					"Job async-2 ignored an interrupt", "tasks finished 1 (ScheduledReport.report)", "interrupted 2",
					"(ignored the interrupt, still running at exit)");
		}
	}

	/** Sends SIGTERM and returns how long the process took to exit, which it must do by signal. */
	private static Duration terminate(SampleProcess app) throws InterruptedException {
		long sigterm = app.terminate();
		int exitCode = app.awaitExit(Duration.ofSeconds(40));
		Duration exit = SampleProcess.since(sigterm);
		assertThat(exitCode).isEqualTo(SIGTERM_EXIT_CODE);
		return exit;
	}

	private static void awaitOutput(SampleProcess app, String text) throws InterruptedException {
		assertThat(SampleProcess.await(Duration.ofSeconds(30), () -> app.output().contains(text)))
			.as("the app logged: %s", text)
			.isTrue();
	}

}
