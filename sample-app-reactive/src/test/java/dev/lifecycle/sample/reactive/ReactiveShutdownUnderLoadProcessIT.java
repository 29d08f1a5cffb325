package dev.lifecycle.sample.reactive;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.SampleProcess;
import dev.lifecycle.sample.support.ShutdownUnderLoad;

/** 200 clients through SIGTERM on Reactor Netty. */
class ReactiveShutdownUnderLoadProcessIT {

	private static final Duration DELAY = Duration.ofSeconds(2);

	@Test
	void everyRequestIsServedOrRefusedNeverAcceptedAndCut() throws Exception {
		try (SampleProcess app = SampleProcess.start("lifecycle.shutdown.delay=" + DELAY.toSeconds() + "s")) {
			new ShutdownUnderLoad(200, DELAY).verify(app);
		}
	}

}
