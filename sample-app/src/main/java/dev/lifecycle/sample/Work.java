package dev.lifecycle.sample;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background job's body: it takes the time it is given and logs how it ended, so that
 * the process tests and the benchmarks read from the log whether a job finished or was cut.
 */
final class Work {

	private static final Logger logger = LoggerFactory.getLogger(Work.class);

	private Work() {
	}

	/**
	 * Works for the given time.
	 *
	 * @param name how the log names this run
	 * @param duration how long it works
	 * @param ignoreInterrupts whether it goes on when interrupted, as badly written jobs do
	 */
	static void run(String name, Duration duration, boolean ignoreInterrupts) {
		long start = System.nanoTime();
		long end = start + duration.toNanos();
		logger.info("Job {} started ({} ms)", name, duration.toMillis());
		while (end - System.nanoTime() > 0) {
			try {
				TimeUnit.NANOSECONDS.sleep(Math.min(TimeUnit.MILLISECONDS.toNanos(50), end - System.nanoTime()));
			}
			catch (InterruptedException ex) {
				if (!ignoreInterrupts) {
					logger.warn("Job {} interrupted after {} ms", name, elapsedMillis(start));
					Thread.currentThread().interrupt();
					return;
				}
				logger.warn("Job {} ignored an interrupt after {} ms", name, elapsedMillis(start));
			}
		}
		logger.info("Job {} finished after {} ms", name, elapsedMillis(start));
	}

	private static long elapsedMillis(long start) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
	}

}
