package dev.lifecycle.sample.messaging.brokers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.lifecycle.sample.support.SampleProcess;

/**
 * A real RabbitMQ node from Debian's {@code rabbitmq-server} package, started as a plain
 * process with its own directories and ports under a temporary directory, and stopped
 * with its Erlang port mapper. Run as root, the server switches to the {@code rabbitmq}
 * user, so its directories are given to that user.
 *
 * <p>{@code main} runs one for a script: it prints {@code AMQP_PORT=<port>} once the node
 * accepts connections, and stops it when its standard input closes.
 */
public final class RabbitMqBroker implements AutoCloseable {

	static final Path SERVER = Path.of("/usr/sbin/rabbitmq-server");

	private static final Path CTL = Path.of("/usr/sbin/rabbitmqctl");

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

	private final Process process;

	private final Path directory;

	private final String node;

	private final int port;

	private RabbitMqBroker(Process process, Path directory, String node, int port) {
		this.process = process;
		this.directory = directory;
		this.node = node;
		this.port = port;
	}

	/** {@return whether the server is installed here: {@code .ci/run} installs it} */
	public static boolean isInstalled() {
		return Files.isExecutable(SERVER) && Files.isExecutable(CTL);
	}

	/** Starts a node and waits until it accepts AMQP connections. */
	public static RabbitMqBroker start() throws IOException, InterruptedException {
		Path directory = Files.createTempDirectory("lifecycle-rabbitmq-");
		int port = SampleProcess.freePort();
		String node = "lifecycle-" + ProcessHandle.current().pid() + "-" + port + "@localhost";
		if (isRoot()) {
			run("chown", "-R", "rabbitmq:rabbitmq", directory.toString());
		}
		ProcessBuilder builder = new ProcessBuilder(SERVER.toString()).redirectErrorStream(true)
			.redirectOutput(directory.resolve("server.out").toFile());
		environment(builder.environment(), directory, node);
		builder.environment().put("RABBITMQ_NODE_PORT", Integer.toString(port));
		builder.environment().put("RABBITMQ_DIST_PORT", Integer.toString(SampleProcess.freePort()));
		RabbitMqBroker broker = new RabbitMqBroker(builder.start(), directory, node, port);
		broker.awaitListening();
		return broker;
	}

	private static void environment(Map<String, String> environment, Path directory, String node) {
		environment.put("RABBITMQ_MNESIA_BASE", directory.resolve("mnesia").toString());
		environment.put("RABBITMQ_LOG_BASE", directory.resolve("log").toString());
		environment.put("RABBITMQ_FEATURE_FLAGS_FILE", directory.resolve("feature_flags").toString());
		environment.put("RABBITMQ_ENABLED_PLUGINS_FILE", directory.resolve("enabled_plugins").toString());
		environment.put("RABBITMQ_NODENAME", node);
	}

	private void awaitListening() throws InterruptedException, IOException {
		boolean listening = SampleProcess.await(STARTUP_TIMEOUT, () -> {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("rabbitmq-server exited during start-up:\n" + output());
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", this.port), 500);
				return true;
			}
			catch (IOException ex) {
				return false;
			}
		});
		if (!listening) {
			close();
			throw new IllegalStateException("RabbitMQ did not listen on " + this.port + " within " + STARTUP_TIMEOUT);
		}
	}

	/** {@return the AMQP port on 127.0.0.1} */
	public int port() {
		return this.port;
	}

	/** {@return the server's own output, for failures} */
	public String output() {
		try {
			return Files.readString(this.directory.resolve("server.out"));
		}
		catch (IOException ex) {
			return "(no output: " + ex + ")";
		}
	}

	/** Stops the node, then the Erlang port mapper it started, and removes its files. */
	@Override
	public void close() throws IOException {
		try {
			ProcessBuilder stop = new ProcessBuilder(CTL.toString(), "-n", this.node, "stop").redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD);
			environment(stop.environment(), this.directory, this.node);
			stop.start().waitFor(30, TimeUnit.SECONDS);
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
			// epmd, the Erlang port mapper, outlives the node unless told to stop.
			new ProcessBuilder("epmd", "-kill").redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start()
				.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
		catch (IOException ex) {
			this.process.destroyForcibly();
		}
		run("rm", "-rf", this.directory.toString());
	}

	private static boolean isRoot() {
		return "root".equals(System.getProperty("user.name"));
	}

	private static void run(String... command) throws IOException {
		try {
			new ProcessBuilder(command).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	public static void main(String[] args) throws Exception {
		try (RabbitMqBroker broker = start()) {
			System.out.println("AMQP_PORT=" + broker.port());
			System.out.flush();
			while (System.in.read() != -1) {
				// Runs until the script closes standard input.
			}
		}
	}

}
