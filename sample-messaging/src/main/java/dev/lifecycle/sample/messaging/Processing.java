package dev.lifecycle.sample.messaging;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.stereotype.Component;

/** The work a listener does for one message: it takes time, then the message is recorded. */
@Component
public class Processing {

	private static final Log logger = LogFactory.getLog(Processing.class);

	private final SampleMessagingProperties properties;

	private final Journal journal;

	public Processing(SampleMessagingProperties properties, Journal journal) {
		this.properties = properties;
		this.journal = journal;
	}

	/**
	 * Works on a message. Interrupted, it stops and throws, so the message is not
	 * acknowledged, unless the sample is set to ignore interrupts.
	 */
	public void process(String broker, String id) throws InterruptedException {
		long started = System.nanoTime();
		if (logger.isDebugEnabled()) {
			logger.debug("Message " + broker + " " + id + " started");
		}
		Duration left = this.properties.processing();
		while (!left.isNegative() && !left.isZero()) {
			try {
				Thread.sleep(left.toMillis(), left.toNanosPart() % 1_000_000);
				break;
			}
			catch (InterruptedException ex) {
				if (!this.properties.ignoreInterrupts()) {
					logger.info("Message " + broker + " " + id + " interrupted after " + millisSince(started) + " ms");
					throw ex;
				}
				logger.info("Message " + broker + " " + id + " ignored an interrupt after " + millisSince(started) + " ms");
				left = this.properties.processing().minusNanos(System.nanoTime() - started);
			}
		}
		this.journal.record("processed", broker, id);
	}

	private static long millisSince(long nanos) {
		return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
	}

}
