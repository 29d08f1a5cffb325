package dev.lifecycle.sample;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.http.ResponseEntity;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /jobs?ms=N} starts an {@code @Async} job of that duration on Boot's task
 * executor and answers at once, as services that hand long work to the background do.
 */
@RestController
class JobsController {

	private final AtomicInteger ids = new AtomicInteger();

	private final AsyncJobs jobs;

	JobsController(AsyncJobs jobs) {
		this.jobs = jobs;
	}

	@PostMapping("/jobs")
	ResponseEntity<String> start(@RequestParam long ms, @RequestParam(defaultValue = "false") boolean ignoreInterrupts) {
		if (ms < 0 || ms > SampleController.MAX_WORK_MILLIS) {
			return ResponseEntity.badRequest()
				.body("ms must be a whole number of milliseconds from 0 to " + SampleController.MAX_WORK_MILLIS + "\n");
		}
		String name = "async-" + this.ids.incrementAndGet();
		this.jobs.run(name, Duration.ofMillis(ms), ignoreInterrupts);
		return ResponseEntity.accepted().body("started " + name + "\n");
	}

	/** The jobs, on a bean of their own so that {@code @Async} proxies the call. */
	@Component
	static class AsyncJobs {

		@Async
		public void run(String name, Duration duration, boolean ignoreInterrupts) {
			Work.run(name, duration, ignoreInterrupts);
		}

	}

}
