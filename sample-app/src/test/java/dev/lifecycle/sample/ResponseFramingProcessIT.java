package dev.lifecycle.sample;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.ResponseFraming;
import dev.lifecycle.sample.support.SampleProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tomcat during the delay: responses tell keep-alive clients to move and keep their
 * framing, so a page of unknown length stays chunked; Tomcat's own keep-alive accounting
 * closes the connection after it.
 */
class ResponseFramingProcessIT {

	@Test
	void responsesDuringTheDelayCloseTheirConnectionAndKeepTheirFraming() throws Exception {
		try (SampleProcess app = SampleProcess.start("lifecycle.shutdown.delay=4s")) {
			List<ResponseFraming.Response> duringDelay = ResponseFraming.verifyThroughDelay(app);
			System.out.println("Tomcat, during the delay: " + duringDelay);
			assertThat(app.awaitExit(Duration.ofSeconds(30))).isEqualTo(128 + 15);
		}
	}

}
