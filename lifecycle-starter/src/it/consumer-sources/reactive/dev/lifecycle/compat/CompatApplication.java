package dev.lifecycle.compat;

import java.time.Duration;

import reactor.core.publisher.Mono;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A minimal WebFlux consumer of the starter, as a team would write it. */
@SpringBootApplication
@RestController
public class CompatApplication {

	@GetMapping("/hello")
	Mono<String> hello() {
		return Mono.just("hello\n");
	}

	@GetMapping("/work")
	Mono<String> work(@RequestParam("ms") long ms) {
		return Mono.delay(Duration.ofMillis(ms)).map((tick) -> "worked " + ms + " ms\n");
	}

	/** Which thread serves requests: an event loop here. */
	@GetMapping("/thread")
	Mono<String> thread() {
		return Mono.fromSupplier(() -> Thread.currentThread().toString());
	}

	public static void main(String[] args) {
		SpringApplication.run(CompatApplication.class, args);
	}

}
