package dev.lifecycle.compat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.ResponseFraming;
import dev.lifecycle.sample.support.SampleProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jetty during the delay: responses tell keep-alive clients to move and keep their
 * framing, so a page of unknown length stays chunked, and the connection closes after it.
 */
class JettyResponseFramingIT {

	@Test
	void responsesDuringTheDelayCloseTheirConnectionAndKeepTheirFraming() throws Exception {
		try (SampleProcess app = SampleProcess.start("lifecycle.shutdown.delay=4s")) {
			List<ResponseFraming.Response> duringDelay = ResponseFraming.verifyThroughDelay(app);
			System.out.println("Jetty, during the delay: " + duringDelay);
			assertThat(app.awaitExit(Duration.ofSeconds(30))).isEqualTo(128 + 15);
		}
	}

}
