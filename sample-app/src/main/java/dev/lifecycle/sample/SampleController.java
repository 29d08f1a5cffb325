package dev.lifecycle.sample;

import java.util.concurrent.TimeUnit;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/** The endpoints the tests and benchmarks drive: a fast one and one of chosen duration. */
@RestController
class SampleController {

	static final long MAX_WORK_MILLIS = 60_000;

	@GetMapping("/hello")
	String hello() {
		return "hello\n";
	}

	@GetMapping("/work")
	ResponseEntity<String> work(@RequestParam(defaultValue = "0") long ms) throws InterruptedException {
		if (ms < 0 || ms > MAX_WORK_MILLIS) {
			return ResponseEntity.badRequest().body(outOfRange(String.valueOf(ms)));
		}
		TimeUnit.MILLISECONDS.sleep(ms);
		return ResponseEntity.ok("worked " + ms + " ms\n");
	}

	@ExceptionHandler(MethodArgumentTypeMismatchException.class)
	ResponseEntity<String> notANumber(MethodArgumentTypeMismatchException ex) {
		return ResponseEntity.badRequest().body(outOfRange(String.valueOf(ex.getValue())));
	}

	private static String outOfRange(String value) {
		return "ms must be a whole number of milliseconds from 0 to " + MAX_WORK_MILLIS + ", was " + value + "\n";
	}

}
