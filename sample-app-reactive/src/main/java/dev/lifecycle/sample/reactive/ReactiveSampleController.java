package dev.lifecycle.sample.reactive;

import java.time.Duration;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;

/**
 * The endpoints the tests drive: a fast one, one of chosen duration that holds no thread
 * while it waits, a page of unknown length and an endless event stream.
 */
@RestController
class ReactiveSampleController {

	static final long MAX_WORK_MILLIS = 60_000;

	static final int MAX_PAGE_ROWS = 100_000;

	static final Duration TICK = Duration.ofMillis(500);

	@GetMapping("/hello")
	String hello() {
		return "hello\n";
	}

	@GetMapping("/work")
	Mono<ResponseEntity<String>> work(@RequestParam(defaultValue = "0") long ms) {
		if (ms < 0 || ms > MAX_WORK_MILLIS) {
			return Mono.just(ResponseEntity.badRequest().body(outOfRange(String.valueOf(ms))));
		}
		return Mono.delay(Duration.ofMillis(ms)).thenReturn(ResponseEntity.ok("worked " + ms + " ms\n"));
	}

	/**
	 * A server-rendered page, streamed row by row as a reactive template engine writes it:
	 * the length is unknown when the response commits, so HTTP/1.1 frames it in chunks.
	 */
	@GetMapping(path = "/page", produces = MediaType.TEXT_HTML_VALUE)
	Flux<String> page(@RequestParam(defaultValue = "100") int rows) {
		if (rows < 0 || rows > MAX_PAGE_ROWS) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "rows must be from 0 to " + MAX_PAGE_ROWS);
		}
		return Flux.concat(Flux.just("<!DOCTYPE html><html><head><title>rows</title></head><body><table>\n"),
				Flux.range(1, rows).map((row) -> "<tr><td>" + row + "</td></tr>\n"),
				Flux.just("</table></body></html>\n"));
	}

	/** One event every 500 ms, until the client goes away or the server stops. */
	@GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	Flux<String> events() {
		// A client that reads slowly misses ticks instead of failing the stream.
		return Flux.interval(TICK).onBackpressureDrop().map((tick) -> "tick " + tick);
	}

	@ExceptionHandler(ServerWebInputException.class)
	ResponseEntity<String> notANumber(ServerWebInputException ex) {
		return ResponseEntity.badRequest().body(outOfRange("not a number"));
	}

	private static String outOfRange(String value) {
		return "ms must be a whole number of milliseconds from 0 to " + MAX_WORK_MILLIS + ", was " + value + "\n";
	}

}
