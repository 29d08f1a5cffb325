package dev.lifecycle.sample;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.SampleProcess;
import dev.lifecycle.sample.support.ShutdownUnderLoad;

/**
 * 200 clients through SIGTERM on Tomcat, with fewer request threads than clients so that
 * connections wait in Tomcat's queues and the kernel's backlog when the drain begins.
 */
class ShutdownUnderLoadProcessIT {

	private static final Duration DELAY = Duration.ofSeconds(2);

	@Test
	void everyRequestIsServedOrRefusedNeverAcceptedAndCut() throws Exception {
		try (SampleProcess app = SampleProcess.start("lifecycle.shutdown.delay=" + DELAY.toSeconds() + "s",
				"server.tomcat.threads.max=50")) {
			// About one run in fifteen sees the kernel's close race once; before the starter
			// served Tomcat's backlog, about 100 resets a run.
			new ShutdownUnderLoad(200, DELAY, 1).verify(app);
		}
	}

}
