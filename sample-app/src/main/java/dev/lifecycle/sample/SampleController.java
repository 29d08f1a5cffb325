package dev.lifecycle.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The endpoints the tests and benchmarks drive: a fast one, one of chosen duration, a
 * large download, a page of unknown length and a never-ending event stream.
 */
@RestController
class SampleController {

	static final long MAX_WORK_MILLIS = 60_000;

	static final long MAX_DOWNLOAD_BYTES = 1L << 30;

	static final int MAX_PAGE_ROWS = 100_000;

	private static final Duration TICK = Duration.ofMillis(500);

	private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "sample-ticker");
		thread.setDaemon(true);
		return thread;
	});

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

	/** A download of the given size, written on the request thread. */
	@GetMapping("/bytes")
	void bytes(@RequestParam long size, HttpServletResponse response) throws IOException {
		if (size < 0 || size > MAX_DOWNLOAD_BYTES) {
			response.sendError(HttpServletResponse.SC_BAD_REQUEST,
					"size must be a number of bytes from 0 to " + MAX_DOWNLOAD_BYTES);
			return;
		}
		response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
		response.setContentLengthLong(size);
		byte[] chunk = new byte[8192];
		Arrays.fill(chunk, (byte) 'x');
		OutputStream out = response.getOutputStream();
		for (long left = size; left > 0; left -= chunk.length) {
			out.write(chunk, 0, (int) Math.min(chunk.length, left));
		}
	}

	/**
	 * A server-rendered page, written as a template engine writes one: the head is flushed
	 * before the rows are rendered, so the length is unknown when the response commits and
	 * HTTP/1.1 frames it in chunks.
	 */
	@GetMapping(path = "/page", produces = MediaType.TEXT_HTML_VALUE)
	void page(@RequestParam(defaultValue = "100") int rows, HttpServletResponse response) throws IOException {
		if (rows < 0 || rows > MAX_PAGE_ROWS) {
			response.sendError(HttpServletResponse.SC_BAD_REQUEST, "rows must be from 0 to " + MAX_PAGE_ROWS);
			return;
		}
		PrintWriter page = response.getWriter();
		page.println("<!DOCTYPE html><html><head><title>rows</title></head><body><table>");
		response.flushBuffer();
		for (int row = 1; row <= rows; row++) {
			page.println("<tr><td>" + row + "</td></tr>");
		}
		page.println("</table></body></html>");
	}

	/** A server-sent event every 500 ms, until the client or the server ends the stream. */
	@GetMapping("/events")
	SseEmitter events() {
		SseEmitter emitter = new SseEmitter(0L);
		AtomicLong count = new AtomicLong();
		ScheduledFuture<?> ticks = this.ticker.scheduleAtFixedRate(() -> {
			try {
				emitter.send(SseEmitter.event().name("tick").data(count.incrementAndGet()));
			}
			catch (IOException | IllegalStateException ex) {
				emitter.completeWithError(ex);
			}
		}, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
		emitter.onCompletion(() -> ticks.cancel(false));
		emitter.onError((ex) -> ticks.cancel(false));
		return emitter;
	}

	@PreDestroy
	void stopTicking() {
		this.ticker.shutdownNow();
	}

	@ExceptionHandler(MethodArgumentTypeMismatchException.class)
	ResponseEntity<String> notANumber(MethodArgumentTypeMismatchException ex) {
		return ResponseEntity.badRequest().body(outOfRange(String.valueOf(ex.getValue())));
	}

	private static String outOfRange(String value) {
		return "ms must be a whole number of milliseconds from 0 to " + MAX_WORK_MILLIS + ", was " + value + "\n";
	}

}
