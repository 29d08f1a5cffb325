package dev.lifecycle.compat;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A minimal Spring MVC consumer of the starter, as a team would write it. */
@SpringBootApplication
@RestController
public class CompatApplication {

	@GetMapping("/hello")
	String hello() {
		return "hello\n";
	}

	@GetMapping("/work")
	String work(@RequestParam("ms") long ms) throws InterruptedException {
		TimeUnit.MILLISECONDS.sleep(ms);
		return "worked " + ms + " ms\n";
	}

	/** A page of unknown length: its head is flushed before the rows are written. */
	@GetMapping(path = "/page", produces = "text/html")
	void page(@RequestParam(name = "rows", defaultValue = "100") int rows, HttpServletResponse response)
			throws IOException {
		PrintWriter page = response.getWriter();
		page.println("<!DOCTYPE html><html><head><title>rows</title></head><body><table>");
		response.flushBuffer();
		for (int row = 1; row <= rows; row++) {
			page.println("<tr><td>" + row + "</td></tr>");
		}
		page.println("</table></body></html>");
	}

	/** Which thread serves requests: platform or virtual. */
	@GetMapping("/thread")
	String thread() {
		return Thread.currentThread().toString();
	}

	public static void main(String[] args) {
		SpringApplication.run(CompatApplication.class, args);
	}

}
