package dev.lifecycle.sample.reactive;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.SampleProcess;
import dev.lifecycle.sample.support.WebSocketShutdown;

/** WebSocket sessions of WebFlux on Reactor Netty through SIGTERM. */
class ReactiveWebSocketShutdownProcessIT {

	private static final Duration DELAY = Duration.ofSeconds(1);

	private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(2);

	@Test
	void sessionsGetGoingAwayWhenTheDrainBeginsAndAStuckOneNeverHoldsTheProcess() throws Exception {
		try (SampleProcess app = SampleProcess.start("lifecycle.shutdown.delay=" + DELAY.toSeconds() + "s",
				"lifecycle.shutdown.drain-timeout=" + DRAIN_TIMEOUT.toSeconds() + "s",
				"lifecycle.termination-grace-period=10s")) {
			new WebSocketShutdown(DELAY, DRAIN_TIMEOUT).verify(app);
		}
	}

}
