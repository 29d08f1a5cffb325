package dev.lifecycle.compat;

import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.support.SampleProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A row of the compatibility matrix where the starter must refuse to start: this build's
 * own packaged jar, started as its own JVM, exits at once with Boot's failure report, and
 * the report says what to change. The row's pom sets the lines to expect.
 */
class StartupRefusedIT {

	@Test
	void startUpStopsWithAMessageThatSaysWhatToChange() throws Exception {
		try (SampleProcess app = SampleProcess.launch()) {
			int exitCode = app.awaitExit(Duration.ofSeconds(90));
			System.out.println(System.getProperty("compat.row") + ": exit " + exitCode);
			assertThat(exitCode).as("start-up failed").isNotZero();
			assertThat(app.output()).contains("APPLICATION FAILED TO START");
			for (String line : System.getProperty("compat.expect-failure").split(Pattern.quote("|"))) {
				assertThat(app.output()).as("the failure report").contains(line.strip());
			}
			assertThat(Arrays.stream(app.output().split("\n")).filter((line) -> line.contains("Started ")))
				.as("the application never started")
				.isEmpty();
		}
	}

}
