package dev.lifecycle.sample.grpc;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** A gRPC service (port 9090) whose actuator and HTTP probes answer on port 8081. */
@SpringBootApplication
public class GrpcSampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(GrpcSampleApplication.class, args);
	}

	/** Sends the ticks of every open {@code Ticks} stream. */
	@Bean(destroyMethod = "shutdownNow")
	ScheduledExecutorService ticker() {
		return Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "ticker");
			thread.setDaemon(true);
			return thread;
		});
	}

}
