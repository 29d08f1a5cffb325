package dev.lifecycle.sample.grpc;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;

import dev.lifecycle.sample.grpc.proto.HelloReply;
import dev.lifecycle.sample.grpc.proto.SampleGrpc;
import dev.lifecycle.sample.grpc.proto.Tick;
import dev.lifecycle.sample.grpc.proto.TicksRequest;
import dev.lifecycle.sample.support.SampleProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged gRPC sample receives a real SIGTERM while a real grpc-java client has a
 * slow unary call and a server stream open; what the client sees, phase by phase.
 */
class GrpcGracefulShutdownProcessIT {

	private static final int SIGTERM_EXIT_CODE = 128 + 15;

	private static final Duration DELAY = Duration.ofSeconds(2);

	private static final Duration SLOW_CALL = Duration.ofSeconds(3);

	@Test
	void readinessFlipsCallsDrainStreamsEndWithUnavailableAndNewCallsFailFast() throws Exception {
		try (GrpcSample app = GrpcSample.start("lifecycle.shutdown.delay=" + DELAY.toSeconds() + "s")) {
			ManagedChannel probes = app.channel();
			ManagedChannel streaming = app.channel();
			try {
				StreamEnd ticks = new StreamEnd();
				SampleGrpc.newStub(streaming).ticks(TicksRequest.newBuilder().setIntervalMs(100).build(), ticks);
				CompletableFuture<HelloReply> slow = CompletableFuture
					.supplyAsync(() -> app.hello(SLOW_CALL.toMillis(), 60_000));
				app.process().awaitInFlight(2);
				long sigterm = app.process().terminate();

				assertThat(SampleProcess.await(Duration.ofSeconds(2),
						() -> GrpcSample.health(probes, "readiness") == ServingStatus.NOT_SERVING))
					.as("readiness NOT_SERVING after SIGTERM").isTrue();
				Duration readinessFlip = SampleProcess.since(sigterm);
				assertThat(GrpcSample.health(probes, "")).as("the server as a whole follows readiness")
					.isEqualTo(ServingStatus.NOT_SERVING);
				assertThat(GrpcSample.health(probes, "liveness")).as("liveness stays SERVING")
					.isEqualTo(ServingStatus.SERVING);
				assertThat(readinessFlip).as("within 500 ms of SIGTERM").isLessThan(Duration.ofMillis(500));

				HelloReply duringDelay = app.hello(0, 5_000);
				assertThat(SampleProcess.since(sigterm)).as("still inside the delay").isLessThan(DELAY);
				assertThat(duringDelay.getMessage()).isEqualTo("Hello, test");

				Status streamEnd = ticks.await(DELAY.plusSeconds(5));
				Duration streamEnded = SampleProcess.since(sigterm);
				assertThat(streamEnd.getCode()).as("the stream ends with UNAVAILABLE, neither reset nor cancelled")
					.isEqualTo(Status.Code.UNAVAILABLE);
				assertThat(streamEnd.getDescription()).contains("retry on another server");
				assertThat(streamEnded).as("when the drain begins").isGreaterThanOrEqualTo(DELAY.minusMillis(100));
				assertThat(ticks.count.get()).as("ticks arrived through the delay").isGreaterThan(5);

				AtomicLong failedCallMillis = new AtomicLong(-1);
				assertThat(SampleProcess.await(Duration.ofSeconds(5), () -> newCallFails(app, failedCallMillis)))
					.as("new calls fail once the drain began").isTrue();
				Duration refused = SampleProcess.since(sigterm);
				assertThat(refused).as("not before the delay ends").isGreaterThanOrEqualTo(DELAY.minusMillis(100));
				assertThat(failedCallMillis.get()).as("a new call after the drain fails fast").isLessThan(1000);

				HelloReply slowReply = slow.get(SLOW_CALL.toSeconds() + 10, TimeUnit.SECONDS);
				assertThat(slowReply.getMessage()).as("the in-flight call completes")
					.isEqualTo("Hello, test (worked " + SLOW_CALL.toMillis() + " ms)");

				int exitCode = app.process().awaitExit(Duration.ofSeconds(30));
				Duration exit = SampleProcess.since(sigterm);
				System.out.printf(
						"gRPC: readiness NOT_SERVING after %d ms; stream ended UNAVAILABLE after %d ms (%d ticks); "
								+ "new calls UNAVAILABLE from %d ms (in %d ms); exit after %d ms%n",
						readinessFlip.toMillis(), streamEnded.toMillis(), ticks.count.get(), refused.toMillis(),
						failedCallMillis.get(), exit.toMillis());
				assertThat(exitCode).isEqualTo(SIGTERM_EXIT_CODE);
				assertThat(exit).as("delay + longest in-flight call + 1 s").isLessThan(DELAY.plus(SLOW_CALL).plusSeconds(1));
				String output = app.process().output();
				assertThat(output.split("Shutdown complete in", -1)).as("one report line").hasSize(2);
				assertThat(output).contains("Ending 1 long-lived stream(s)", "abandoned 0")
					.containsPattern("drained [2-9] in");
			}
			finally {
				GrpcSample.close(probes);
				GrpcSample.close(streaming);
			}
		}
	}

	@Test
	void aCallThatOutlivesTheDrainTimeoutIsReportedWithItsMethodAndCut() throws Exception {
		try (GrpcSample app = GrpcSample.start("lifecycle.shutdown.delay=1s", "lifecycle.shutdown.drain-timeout=2s",
				"lifecycle.termination-grace-period=8s")) {
			CompletableFuture<HelloReply> endless = CompletableFuture.supplyAsync(() -> app.hello(30_000, 60_000));
			app.process().awaitInFlight(1);
			long sigterm = app.process().terminate();

			int exitCode = app.process().awaitExit(Duration.ofSeconds(20));
			Duration exit = SampleProcess.since(sigterm);
			System.out.printf("gRPC: a 30 s call, drain timeout 2 s: exit after %d ms%n", exit.toMillis());
			assertThat(exitCode).isEqualTo(SIGTERM_EXIT_CODE);
			assertThat(exit).as("within the grace period").isLessThan(Duration.ofSeconds(8));
			assertThat(endless).failsWithin(Duration.ofSeconds(5));
			assertThat(app.process().output()).contains("Abandoned gRPC lifecycle.sample.Sample/Hello after",
					"abandoned 1", "(budget 8 s)");
		}
	}

	/** Whether a unary call on a new channel fails with UNAVAILABLE now; records how long it took. */
	private static boolean newCallFails(GrpcSample app, AtomicLong millis) {
		long start = System.nanoTime();
		try {
			app.hello(0, 5_000);
			return false;
		}
		catch (StatusRuntimeException ex) {
			millis.set(SampleProcess.since(start).toMillis());
			assertThat(ex.getStatus().getCode()).as("refused, not cut: %s", ex.getStatus())
				.isEqualTo(Status.Code.UNAVAILABLE);
			return true;
		}
	}

	/** Records how a server stream ended. */
	private static final class StreamEnd implements StreamObserver<Tick> {

		private final CompletableFuture<Status> end = new CompletableFuture<>();

		private final AtomicInteger count = new AtomicInteger();

		private final AtomicLong last = new AtomicLong();

		@Override
		public void onNext(Tick tick) {
			this.count.incrementAndGet();
			this.last.set(tick.getSequence());
		}

		@Override
		public void onError(Throwable error) {
			this.end.complete(Status.fromThrowable(error));
		}

		@Override
		public void onCompleted() {
			this.end.complete(Status.OK);
		}

		Status await(Duration timeout) throws Exception {
			return this.end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}

	}

}
