package dev.lifecycle.sample.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A packaged sample application running as its own JVM, as Kubernetes would run it: the
 * jar named by the {@code sample.jar} system property, which the samples' failsafe
 * configuration sets, on the JVM running the tests, with the JVM options of the
 * {@code sample.jvm-args} system property (space-separated) if set.
 */
public final class SampleProcess implements AutoCloseable {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

	private static final Pattern IN_FLIGHT = Pattern.compile("\"inFlight\":(\\d+)");

	private final Process process;

	private final Path output;

	private final int port;

	private final int managementPort;

	private SampleProcess(Process process, Path output, int port, int managementPort) {
		this.process = process;
		this.output = output;
		this.port = port;
		this.managementPort = managementPort;
	}

	/** Starts the app and waits until its readiness probe answers 200. */
	public static SampleProcess start(String... properties) throws IOException, InterruptedException {
		SampleProcess sample = launch(properties);
		sample.awaitReady();
		return sample;
	}

	/** Starts the app without waiting for it. */
	public static SampleProcess launch(String... properties) throws IOException {
		return launchOn(Path.of(System.getProperty("java.home")), properties);
	}

	/** Starts the app on the given JDK and waits until its readiness probe answers 200. */
	public static SampleProcess startOn(Path javaHome, String... properties) throws IOException, InterruptedException {
		SampleProcess sample = launchOn(javaHome, properties);
		sample.awaitReady();
		return sample;
	}

	private static SampleProcess launchOn(Path javaHome, String... properties) throws IOException {
		String jar = System.getProperty("sample.jar");
		if (jar == null || !Files.exists(Path.of(jar))) {
			throw new IllegalStateException("Run through Maven's verify phase: the packaged jar is missing (" + jar + ")");
		}
		int port = freePort();
		int managementPort = freePort();
		Path output = Files.createTempFile("sample-", ".log");
		// The lifecycle endpoint lets tests wait on the app's own count of in-flight requests.
		List<String> command = new ArrayList<>();
		command.add(javaHome.resolve("bin").resolve("java").toString());
		String jvmArgs = System.getProperty("sample.jvm-args", "").strip();
		if (!jvmArgs.isEmpty()) {
			command.addAll(List.of(jvmArgs.split("\\s+")));
		}
		command.addAll(List.of("-jar", jar, "--server.port=" + port, "--management.server.port=" + managementPort,
				"--management.endpoints.web.exposure.include=health,lifecycle"));
		for (String property : properties) {
			command.add("--" + property);
		}
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();
		return new SampleProcess(process, output, port, managementPort);
	}

	public int port() {
		return this.port;
	}

	public HttpExchange get(String path) throws IOException {
		return HttpExchange.get(this.port, path, Duration.ofSeconds(10));
	}

	public HttpExchange post(String path) throws IOException {
		return HttpExchange.post(this.port, path, Duration.ofSeconds(10));
	}

	/** A request on its own thread, for a client that waits up to a minute for the answer. */
	public CompletableFuture<HttpExchange> getAsync(String path) {
		return CompletableFuture.supplyAsync(() -> {
			try {
				return HttpExchange.get(this.port, path, Duration.ofSeconds(60));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		});
	}

	/** The status a new connection gets for a path of the main port, or -1 if none. */
	public int status(String path) {
		try {
			return get(path).status();
		}
		catch (IOException ex) {
			return -1;
		}
	}

	/** Waits until the application counts at least this many requests in flight. */
	public void awaitInFlight(int count) throws InterruptedException {
		boolean reached = await(Duration.ofSeconds(10), () -> {
			try {
				Matcher inFlight = IN_FLIGHT.matcher(HttpExchange
					.get(this.managementPort, "/actuator/lifecycle", Duration.ofSeconds(5))
					.body());
				return inFlight.find() && Integer.parseInt(inFlight.group(1)) >= count;
			}
			catch (IOException ex) {
				return false;
			}
		});
		if (!reached) {
			throw new AssertionError("The app never had " + count + " request(s) in flight:\n" + output());
		}
	}

	public static Duration since(long nanos) {
		return Duration.ofNanos(System.nanoTime() - nanos);
	}

	/** Sends SIGTERM, as the kubelet does, and returns the moment it was sent. */
	public long terminate() {
		long sent = System.nanoTime();
		this.process.toHandle().destroy();
		return sent;
	}

	public long pid() {
		return this.process.pid();
	}

	public boolean isAlive() {
		return this.process.isAlive();
	}

	public int awaitExit(Duration timeout) throws InterruptedException {
		if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new AssertionError("Process still running after " + timeout + ":\n" + output() + threadDump());
		}
		return this.process.exitValue();
	}

	/** Whether a new TCP connection to the application's port is refused now. */
	public boolean refusesConnections() {
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

	/** The JVM's threads, to see where a shutdown hangs. */
	private String threadDump() {
		Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
		try {
			Process dump = new ProcessBuilder(jcmd.toString(), String.valueOf(pid()), "Thread.print")
				.redirectErrorStream(true)
				.start();
			String threads = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			return dump.waitFor(10, TimeUnit.SECONDS) ? "\nThreads:\n" + threads : "";
		}
		catch (IOException ex) {
			return "\n(no thread dump: " + ex.getMessage() + ")";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "";
		}
	}

	public String output() {
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
	public void awaitStatus(String path, int status) throws InterruptedException {
		awaitStatus(this.port, path, status);
	}

	/**
	 * Waits until a path of the management port answers with the given status: for an app
	 * whose main port speaks TLS.
	 */
	public void awaitManagementStatus(String path, int status) throws InterruptedException {
		awaitStatus(this.managementPort, path, status);
	}

	private void awaitStatus(int port, String path, int status) throws InterruptedException {
		boolean reached = await(STARTUP_TIMEOUT, () -> {
			if (!this.process.isAlive()) {
				throw new AssertionError("Sample app exited during start-up:\n" + output());
			}
			try {
				return HttpExchange.get(port, path, Duration.ofSeconds(10)).status() == status;
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
	public static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (condition.getAsBoolean()) {
				return true;
			}
			TimeUnit.MILLISECONDS.sleep(20);
		}
		return condition.getAsBoolean();
	}

	/** A port free now, for a server of the app that the tests address (gRPC). */
	public static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
