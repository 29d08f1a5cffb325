package dev.lifecycle.sample.grpc;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.ManagedChannel;
import io.grpc.Status;
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
 * The packaged gRPC sample as a gRPC-only service (no web server at all) through a real
 * SIGTERM: the whole sequence, as beside a web server. Readiness NOT_SERVING at once,
 * calls served through the delay, streams ended and calls drained at its end, what
 * outlives the drain timeout reported and cut, one report line, inside the budget.
 */
class GrpcOnlyShutdownProcessIT {

	private static final int SIGTERM_EXIT_CODE = 128 + 15;

	private static final Duration DELAY = Duration.ofSeconds(2);

	private static final Duration SLOW_CALL = Duration.ofSeconds(3);

	@Test
	void refuseDelayDrainAndReportWithoutAWebServer() throws Exception {
		try (GrpcSample app = GrpcSample.startGrpcOnly("lifecycle.shutdown.delay=" + DELAY.toSeconds() + "s")) {
			assertThat(app.process().refusesConnections()).as("no web server").isTrue();
			ManagedChannel probes = app.channel();
			ManagedChannel streaming = app.channel();
			try {
				CompletableFuture<Status> streamEnd = new CompletableFuture<>();
				AtomicInteger ticks = new AtomicInteger();
				SampleGrpc.newStub(streaming).ticks(TicksRequest.newBuilder().setIntervalMs(100).build(),
						new StreamObserver<Tick>() {

							@Override
							public void onNext(Tick tick) {
								ticks.incrementAndGet();
							}

							@Override
							public void onError(Throwable error) {
								streamEnd.complete(Status.fromThrowable(error));
							}

							@Override
							public void onCompleted() {
								streamEnd.complete(Status.OK);
							}

						});
				assertThat(SampleProcess.await(Duration.ofSeconds(5), () -> ticks.get() > 0)).isTrue();
				long sigterm = app.process().terminate();

				assertThat(SampleProcess.await(Duration.ofSeconds(2),
						() -> GrpcSample.health(probes, "readiness") == ServingStatus.NOT_SERVING))
					.as("readiness NOT_SERVING after SIGTERM").isTrue();
				Duration readinessFlip = SampleProcess.since(sigterm);
				assertThat(readinessFlip).as("within 500 ms of SIGTERM").isLessThan(Duration.ofMillis(500));
				assertThat(GrpcSample.health(probes, "liveness")).isEqualTo(ServingStatus.SERVING);

				assertThat(app.hello(0, 5_000).getMessage()).isEqualTo("Hello, test");
				// Starts during the delay and is still running when the drain begins.
				CompletableFuture<HelloReply> slow = CompletableFuture
					.supplyAsync(() -> app.hello(SLOW_CALL.toMillis(), 60_000));
				assertThat(SampleProcess.since(sigterm)).as("still inside the delay").isLessThan(DELAY);

				Status ended = streamEnd.get(DELAY.toSeconds() + 5, TimeUnit.SECONDS);
				Duration streamEnded = SampleProcess.since(sigterm);
				assertThat(ended.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
				assertThat(streamEnded).as("when the drain begins, not before: the delay ran")
					.isGreaterThanOrEqualTo(DELAY.minusMillis(100));
				assertThat(slow.get(SLOW_CALL.toSeconds() + 10, TimeUnit.SECONDS).getMessage())
					.as("the call in flight at the drain completes")
					.isEqualTo("Hello, test (worked " + SLOW_CALL.toMillis() + " ms)");

				int exitCode = app.process().awaitExit(Duration.ofSeconds(30));
				Duration exit = SampleProcess.since(sigterm);
				String output = app.process().output();
				System.out.printf("gRPC only: readiness NOT_SERVING after %d ms; stream ended after %d ms; exit after "
						+ "%d ms; %s%n", readinessFlip.toMillis(), streamEnded.toMillis(), exit.toMillis(),
						output.lines().filter((line) -> line.contains("Shutdown complete")).findFirst().orElse(""));
				assertThat(exitCode).isEqualTo(SIGTERM_EXIT_CODE);
				assertThat(exit).as("within delay + the call + 1 s").isLessThan(DELAY.plus(SLOW_CALL).plusSeconds(1));
				assertThat(output.split("Shutdown complete in", -1)).as("one report line").hasSize(2);
				assertThat(output).contains("(budget 30 s)", "delay 2.0 s (elapsed", "abandoned 0")
					.containsPattern("drained [2-9] in");
			}
			finally {
				GrpcSample.close(probes);
				GrpcSample.close(streaming);
			}
		}
	}

	@Test
	void aCallThatOutlivesTheDrainTimeoutIsReportedAndCutInsideTheBudget() throws Exception {
		try (GrpcSample app = GrpcSample.startGrpcOnly("lifecycle.shutdown.delay=1s",
				"lifecycle.shutdown.drain-timeout=2s", "lifecycle.termination-grace-period=8s")) {
			long sigterm = app.process().terminate();
			CompletableFuture<HelloReply> endless = CompletableFuture.supplyAsync(() -> app.hello(30_000, 60_000));

			int exitCode = app.process().awaitExit(Duration.ofSeconds(20));
			Duration exit = SampleProcess.since(sigterm);
			System.out.printf("gRPC only: a 30 s call, drain timeout 2 s: exit after %d ms%n", exit.toMillis());
			assertThat(exitCode).isEqualTo(SIGTERM_EXIT_CODE);
			assertThat(exit).as("within the grace period").isLessThan(Duration.ofSeconds(8));
			assertThat(endless).failsWithin(Duration.ofSeconds(5));
			assertThat(app.process().output()).contains("Abandoned gRPC lifecycle.sample.Sample/Hello after",
					"abandoned 1", "(budget 8 s)");
		}
	}

}
