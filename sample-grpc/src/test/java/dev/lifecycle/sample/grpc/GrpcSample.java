package dev.lifecycle.sample.grpc;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;

import dev.lifecycle.sample.grpc.proto.HelloReply;
import dev.lifecycle.sample.grpc.proto.HelloRequest;
import dev.lifecycle.sample.grpc.proto.SampleGrpc;
import dev.lifecycle.sample.support.SampleProcess;

/** The packaged gRPC sample as its own JVM, with a gRPC port of its own, and a client for it. */
final class GrpcSample implements AutoCloseable {

	private final SampleProcess process;

	private final int grpcPort;

	private GrpcSample(SampleProcess process, int grpcPort) {
		this.process = process;
		this.grpcPort = grpcPort;
	}

	/** Starts the app and waits until its gRPC readiness service says SERVING. */
	static GrpcSample start(String... properties) throws Exception {
		int grpcPort = SampleProcess.freePort();
		GrpcSample sample = new GrpcSample(SampleProcess.start(withPort(grpcPort, properties)), grpcPort);
		sample.awaitGrpcReadiness();
		return sample;
	}

	/**
	 * Starts the app as a gRPC-only service, without a web server (no actuator over HTTP,
	 * no {@code /readyz}), and waits until its gRPC readiness service says SERVING.
	 */
	static GrpcSample startGrpcOnly(String... properties) throws Exception {
		int grpcPort = SampleProcess.freePort();
		String[] all = withPort(grpcPort, properties);
		String[] grpcOnly = new String[all.length + 1];
		System.arraycopy(all, 0, grpcOnly, 0, all.length);
		grpcOnly[all.length] = "spring.main.web-application-type=none";
		GrpcSample sample = new GrpcSample(SampleProcess.launch(grpcOnly), grpcPort);
		sample.awaitGrpcReadiness();
		return sample;
	}

	private static String[] withPort(int grpcPort, String... properties) {
		String[] all = new String[properties.length + 1];
		System.arraycopy(properties, 0, all, 0, properties.length);
		all[properties.length] = "spring.grpc.server.port=" + grpcPort;
		return all;
	}

	private void awaitGrpcReadiness() throws InterruptedException {
		GrpcSample sample = this;
		ManagedChannel channel = sample.channel();
		try {
			boolean serving = SampleProcess.await(java.time.Duration.ofSeconds(60),
					() -> health(channel, "readiness") == ServingStatus.SERVING);
			if (!serving) {
				throw new AssertionError("gRPC readiness never SERVING:\n" + sample.process.output());
			}
		}
		finally {
			close(channel);
		}
	}

	SampleProcess process() {
		return this.process;
	}

	/** A new channel: its own HTTP/2 connection, opened on its first call. */
	ManagedChannel channel() {
		return ManagedChannelBuilder.forAddress("127.0.0.1", this.grpcPort).usePlaintext().build();
	}

	/** One unary call on a new channel, as a client with no connection yet makes it. */
	HelloReply hello(long workMillis, long deadlineMillis) {
		ManagedChannel channel = channel();
		try {
			return SampleGrpc.newBlockingStub(channel)
				.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
				.hello(HelloRequest.newBuilder().setName("test").setWorkMs(workMillis).build());
		}
		finally {
			close(channel);
		}
	}

	/** The status of a health service, or {@code null} if the call failed. */
	static ServingStatus health(ManagedChannel channel, String service) {
		try {
			return HealthGrpc.newBlockingStub(channel)
				.withDeadlineAfter(2, TimeUnit.SECONDS)
				.check(HealthCheckRequest.newBuilder().setService(service).build())
				.getStatus();
		}
		catch (StatusRuntimeException ex) {
			return null;
		}
	}

	static void close(ManagedChannel channel) {
		channel.shutdownNow();
		try {
			channel.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() throws IOException {
		this.process.close();
	}

}
