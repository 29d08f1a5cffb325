package dev.lifecycle.shutdown.tomcat;

import java.time.Duration;

import org.apache.coyote.http2.Http2Protocol;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the starter's Tomcat protocol does to the HTTP/2 protocol Boot adds to it. */
class GracefulHttp11NioProtocolTests {

	@Test
	void http2GetsADrainTimeoutSoThatStreamsSentBeforeTheGoAwayAreServed() {
		Http2Protocol http2 = new Http2Protocol();
		assertThat(http2.getDrainTimeout()).as("Tomcat's default").isZero();
		new GracefulHttp11NioProtocol().addUpgradeProtocol(http2);
		assertThat(http2.getDrainTimeout()).isEqualTo(Duration.ofSeconds(1).toNanos());
	}

	@Test
	void aDrainTimeoutSetByTheApplicationIsKept() {
		Http2Protocol http2 = new Http2Protocol();
		http2.setDrainTimeout(Duration.ofMillis(300).toNanos());
		new GracefulHttp11NioProtocol().addUpgradeProtocol(http2);
		assertThat(http2.getDrainTimeout()).isEqualTo(Duration.ofMillis(300).toNanos());
	}

}
