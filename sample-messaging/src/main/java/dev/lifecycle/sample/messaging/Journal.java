package dev.lifecycle.sample.messaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.springframework.stereotype.Component;

/**
 * Records each message a listener finished (or the producer sent), one line each, flushed
 * at once: {@code event,broker,id,epochMillis}. Each process writes its own file, so a run
 * can count, across replicas, what was produced, processed, lost and processed twice.
 */
@Component
public class Journal implements AutoCloseable {

	private final Writer writer;

	public Journal(SampleMessagingProperties properties) throws IOException {
		Path directory = properties.journal();
		if (directory == null) {
			this.writer = Writer.nullWriter();
			return;
		}
		Files.createDirectories(directory);
		this.writer = Files.newBufferedWriter(directory.resolve("journal-" + ProcessHandle.current().pid() + ".csv"),
				StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
	}

	public synchronized void record(String event, String broker, String id) {
		try {
			this.writer.write(event + "," + broker + "," + id + "," + System.currentTimeMillis() + "\n");
			this.writer.flush();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public synchronized void close() throws IOException {
		this.writer.close();
	}

}
