package dev.lifecycle.compat;

import java.util.concurrent.TimeUnit;

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

	/** Which thread serves requests: platform or virtual. */
	@GetMapping("/thread")
	String thread() {
		return Thread.currentThread().toString();
	}

	public static void main(String[] args) {
		SpringApplication.run(CompatApplication.class, args);
	}

}
