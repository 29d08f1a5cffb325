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
			// Most runs see no reset at all, but this session also measured 35 and 61 resets in
			// the instant the listener closed (before the starter served Tomcat's backlog: about
			// 100 a run, with 148 closed unanswered). The timing check keeps resets at the close.
			new ShutdownUnderLoad(200, DELAY, 100).verify(app);
		}
	}

}
