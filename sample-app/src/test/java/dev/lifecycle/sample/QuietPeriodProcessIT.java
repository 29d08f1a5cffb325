package dev.lifecycle.sample;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.QuietPeriod;

/**
 * The quiet period on the packaged app, on Tomcat: new connections are the evidence, the
 * requests of a keep-alive connection are not, and the floor holds.
 */
class QuietPeriodProcessIT {

	@Test
	void aBusyKeepAliveConnectionAloneEndsTheDelayAtTheFloorNotBefore() throws Exception {
		QuietPeriod.aBusyKeepAliveConnectionAloneEndsTheDelayAtTheFloor("Tomcat");
	}

	@Test
	void newConnectionsHoldTheDelayToItsMaximum() throws Exception {
		QuietPeriod.newConnectionsHoldTheDelayToItsMaximum("Tomcat");
	}

}
