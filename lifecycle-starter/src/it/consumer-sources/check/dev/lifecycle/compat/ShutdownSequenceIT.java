package dev.lifecycle.compat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.SampleProcess;
import dev.lifecycle.sample.support.ShutdownSequence;
import dev.lifecycle.sample.support.ShutdownSequence.Timeline;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One row of the compatibility matrix: this build's own packaged jar, started as its own
 * JVM, proves that it runs on the row's stack (the start-up log and the serving thread say
 * so), then goes through the SIGTERM sequence. The row's pom sets the system properties.
 */
class ShutdownSequenceIT {

	@Test
	void sigtermSequenceHoldsOnThisStack() throws Exception {
		List<String> arguments = new ArrayList<>(List.of("lifecycle.shutdown.delay=2s"));
		arguments.addAll(listProperty("compat.app-args", " "));
		try (SampleProcess app = SampleProcess.start(arguments.toArray(String[]::new))) {
			for (String line : listProperty("compat.expect-log", "|")) {
				assertThat(app.output()).as("the start-up log shows this row's stack").contains(line);
			}
			String servingThread = app.get("/thread").body();
			if (Boolean.getBoolean("compat.virtual-threads")) {
				assertThat(servingThread).as("requests run on virtual threads").contains("VirtualThread");
			}
			else {
				assertThat(servingThread).as("requests run on platform threads").doesNotContain("VirtualThread");
			}

			Timeline timeline = new ShutdownSequence(Duration.ofSeconds(2), Duration.ofSeconds(3)).verify(app);
			System.out.println(System.getProperty("compat.row") + ": " + timeline);
			for (String line : listProperty("compat.expect-log-after-exit", "|")) {
				assertThat(app.output()).contains(line);
			}
		}
	}

	private static List<String> listProperty(String name, String separator) {
		String value = System.getProperty(name, "").strip();
		return value.isEmpty() ? List.of()
				: Arrays.stream(value.split(Pattern.quote(separator))).map(String::strip).toList();
	}

}
