package dev.lifecycle.sample;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A scheduled job, on when {@code sample.job.duration} is set: each run works that long,
 * then the next starts {@code sample.job.interval} later. Off by default, so that the other
 * process tests' shutdowns have no job to wait for.
 */
@Component
@ConditionalOnProperty("sample.job.duration")
class ScheduledReport {

	private final Duration duration;

	private final boolean ignoreInterrupts;

	private final AtomicInteger runs = new AtomicInteger();

	ScheduledReport(@Value("${sample.job.duration}") Duration duration,
			@Value("${sample.job.ignore-interrupts:false}") boolean ignoreInterrupts) {
		this.duration = duration;
		this.ignoreInterrupts = ignoreInterrupts;
	}

	@Scheduled(fixedDelayString = "${sample.job.interval:1s}", initialDelayString = "${sample.job.initial-delay:0s}")
	void report() {
		Work.run("report-" + this.runs.incrementAndGet(), this.duration, this.ignoreInterrupts);
	}

}
