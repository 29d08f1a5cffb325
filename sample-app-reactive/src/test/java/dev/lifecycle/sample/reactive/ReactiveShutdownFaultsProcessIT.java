package dev.lifecycle.sample.reactive;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.SampleProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signals at awkward moments, sent to the packaged reactive sample app as its own JVM.
 */
class ReactiveShutdownFaultsProcessIT {

	private static final int SIGTERM_EXIT_CODE = 128 + 15;

	@Test
	void sigtermDuringWarmupExitsPromptlyAndNeverReportsReady() throws Exception {
		// On Kubernetes defaults a ready pod would keep serving for 5 s; this one never was ready.
		try (SampleProcess app = SampleProcess.launch("spring.main.cloud-platform=kubernetes",
				"lifecycle.warmup.until=iterations", "lifecycle.warmup.iterations=1000000",
				"lifecycle.warmup.timeout=60s")) {
			app.awaitStatus("/livez", 200);
			assertThat(app.get("/readyz").status()).as("warming up").isEqualTo(503);
			assertThat(app.get("/startupz").status()).isEqualTo(503);

			long sigterm = app.terminate();
			int readyAnswers = 0;
			while (!!app.isAlive() && SampleProcess.since(sigterm).compareTo(Duration.ofSeconds(30)) < 0) {
				readyAnswers += (app.status("/readyz") == 200 || app.status("/startupz") == 200) ? 1 : 0;
				TimeUnit.MILLISECONDS.sleep(20);
			}
			int exitCode = app.awaitExit(Duration.ofSeconds(30));
			Duration exit = SampleProcess.since(sigterm);
			System.out.printf("Reactive: SIGTERM during warm-up to exit: %d ms%n", exit.toMillis());
			assertThat(readyAnswers).as("readiness or startup answered 200 after SIGTERM").isZero();
			assertThat(exitCode).isEqualTo(SIGTERM_EXIT_CODE);
			assertThat(exit).as("no delay for a pod that was never ready").isLessThan(Duration.ofSeconds(4));
			assertThat(app.output()).contains("Warm-up cancelled after", "skipped, never ready");
		}
	}

}
