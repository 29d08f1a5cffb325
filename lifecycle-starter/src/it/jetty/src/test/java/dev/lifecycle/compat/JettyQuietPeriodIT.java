package dev.lifecycle.compat;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.QuietPeriod;

/**
 * The quiet period on Jetty, the same check as on Tomcat and Reactor Netty: new
 * connections are the evidence, the requests of a keep-alive connection are not, and the
 * floor holds.
 */
class JettyQuietPeriodIT {

	@Test
	void aBusyKeepAliveConnectionAloneEndsTheDelayAtTheFloorNotBefore() throws Exception {
		QuietPeriod.aBusyKeepAliveConnectionAloneEndsTheDelayAtTheFloor("Jetty");
	}

	@Test
	void newConnectionsHoldTheDelayToItsMaximum() throws Exception {
		QuietPeriod.newConnectionsHoldTheDelayToItsMaximum("Jetty");
	}

}
