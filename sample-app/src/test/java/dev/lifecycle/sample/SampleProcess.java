package dev.lifecycle.sample;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The packaged sample application running as its own JVM, as Kubernetes would run it.
 */
final class SampleProcess implements AutoCloseable {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

	private final Process process;

	private final Path output;

	private final int port;

	private SampleProcess(Process process, Path output, int port) {
		this.process = process;
		this.output = output;
		this.port = port;
	}

	/** Starts the app and waits until its readiness probe answers 200. */
	static SampleProcess start(String... properties) throws IOException, InterruptedException {
		SampleProcess sample = launch(properties);
		sample.awaitReady();
		return sample;
	}

	/** Starts the app without waiting for it. */
	static SampleProcess launch(String... properties) throws IOException {
		String jar = System.getProperty("sample.jar");
		if (jar == null || !Files.exists(Path.of(jar))) {
			throw new IllegalStateException("Run through Maven's verify phase: the packaged jar is missing (" + jar + ")");
		}
		int port = freePort();
		Path output = Files.createTempFile("sample-app-", ".log");
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-jar", jar, "--server.port=" + port, "--management.server.port=" + freePort()));
		for (String property : properties) {
			command.add("--" + property);
		}
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();
		return new SampleProcess(process, output, port);
	}

	int port() {
		return this.port;
	}

	HttpExchange get(String path) throws IOException {
		return HttpExchange.get(this.port, path, Duration.ofSeconds(10));
	}

	/** Sends SIGTERM, as the kubelet does, and returns the moment it was sent. */
	long terminate() {
		long sent = System.nanoTime();
		this.process.toHandle().destroy();
		return sent;
	}

	long pid() {
		return this.process.pid();
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	int awaitExit(Duration timeout) throws InterruptedException {
		if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new AssertionError("Process still running after " + timeout + ":\n" + output());
		}
		return this.process.exitValue();
	}

	/** Whether a new TCP connection to the application's port is refused now. */
	boolean refusesConnections() {
		try {
			get("/hello");
			return false;
		}
		catch (ConnectException ex) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	String output() {
		try {
			return Files.readString(this.output);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() throws IOException {
		this.process.destroyForcibly();
		Files.deleteIfExists(this.output);
	}

	private void awaitReady() throws InterruptedException {
		awaitStatus("/readyz", 200);
	}

	/** Waits until a path of the main port answers with the given status. */
	void awaitStatus(String path, int status) throws InterruptedException {
		boolean reached = await(STARTUP_TIMEOUT, () -> {
			if (!this.process.isAlive()) {
				throw new AssertionError("Sample app exited during start-up:\n" + output());
			}
			try {
				return get(path).status() == status;
			}
			catch (IOException ex) {
				return false;
			}
		});
		if (!reached) {
			throw new AssertionError(path + " did not answer " + status + " within " + STARTUP_TIMEOUT + ":\n" + output());
		}
	}

	/** Polls a condition until it holds or the deadline passes. */
	static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (condition.getAsBoolean()) {
				return true;
			}
			TimeUnit.MILLISECONDS.sleep(20);
		}
		return condition.getAsBoolean();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
