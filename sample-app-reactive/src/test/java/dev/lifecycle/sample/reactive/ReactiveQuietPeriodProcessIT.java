package dev.lifecycle.sample.reactive;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.QuietPeriod;

/**
 * The quiet period on the packaged app, on Reactor Netty: new connections are the
 * evidence, the requests of a keep-alive connection are not, and the floor holds.
 */
class ReactiveQuietPeriodProcessIT {

	@Test
	void aBusyKeepAliveConnectionAloneEndsTheDelayAtTheFloorNotBefore() throws Exception {
		QuietPeriod.aBusyKeepAliveConnectionAloneEndsTheDelayAtTheFloor("Reactor Netty");
	}

	@Test
	void newConnectionsHoldTheDelayToItsMaximum() throws Exception {
		QuietPeriod.newConnectionsHoldTheDelayToItsMaximum("Reactor Netty");
	}

}
