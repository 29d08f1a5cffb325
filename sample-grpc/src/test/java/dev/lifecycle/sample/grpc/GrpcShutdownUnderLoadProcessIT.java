package dev.lifecycle.sample.grpc;

import java.net.ConnectException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many gRPC clients call the app directly through SIGTERM, each call on a new channel
 * (its own connection): every call is answered OK, or fails with UNAVAILABLE because its
 * connection was refused after the drain began; none is accepted and then lost.
 */
class GrpcShutdownUnderLoadProcessIT {

	private static final int CLIENTS = 50;

	private static final Duration DELAY = Duration.ofSeconds(2);

	enum Outcome {

		/** Answered. */
		OK,

		/** UNAVAILABLE because the connection was refused: the server no longer listens. */
		REFUSED,

		/**
		 * UNAVAILABLE, "Network closed for unknown reason" or a connection reset: the
		 * connection ended before any HTTP/2 frame, so no call on it started. Without the
		 * starter, Netty accepted it in the instant the listener closed and grpc-java closed it
		 * at once, or the kernel reset a handshake it completed as the listener closed.
		 */
		CLOSED_AT_LISTENER_CLOSE,

		/** Anything else: a call accepted and then lost, or answered with an error. */
		OTHER

	}

	@Test
	void everyCallIsAnsweredOrRefusedNeverAcceptedAndLost() throws Exception {
		try (GrpcSample app = GrpcSample.start("lifecycle.shutdown.delay=" + DELAY.toSeconds() + "s")) {
			Map<Outcome, LongAdder> counts = new EnumMap<>(Outcome.class);
			for (Outcome outcome : Outcome.values()) {
				counts.put(outcome, new LongAdder());
			}
			Set<String> others = ConcurrentHashMap.newKeySet();
			AtomicLong firstRefusal = new AtomicLong(Long.MAX_VALUE);
			Set<Long> closedAt = ConcurrentHashMap.newKeySet();
			long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
			List<Future<?>> running = new ArrayList<>();
			for (int i = 0; i < CLIENTS; i++) {
				running.add(clients.submit(() -> {
					// Clients stop by themselves: once the app is gone, or after a minute at most.
					while (app.process().isAlive() && System.nanoTime() < stopAt) {
						Outcome outcome = call(app, others);
						counts.get(outcome).increment();
						if (outcome == Outcome.REFUSED) {
							firstRefusal.accumulateAndGet(System.nanoTime(), Math::min);
						}
						if (outcome == Outcome.CLOSED_AT_LISTENER_CLOSE) {
							closedAt.add(System.nanoTime());
						}
					}
				}));
			}
			TimeUnit.SECONDS.sleep(2);
			long sigterm = app.process().terminate();
			int exitCode = app.process().awaitExit(Duration.ofSeconds(30));
			for (Future<?> client : running) {
				client.get(30, TimeUnit.SECONDS);
			}
			clients.shutdown();
			Duration refusedFrom = Duration.ofNanos(firstRefusal.get() - sigterm);
			List<Long> closedMillis = closedAt.stream().map((nanos) -> (nanos - sigterm) / 1_000_000).sorted().toList();
			System.out.printf("gRPC: %d clients, a new channel per call, through SIGTERM: %s; first refusal %d ms "
					+ "after SIGTERM; closed at the listener's close at %s ms; other: %s%n", CLIENTS, counts,
					refusedFrom.toMillis(), closedMillis, others);

			assertThat(exitCode).isEqualTo(128 + 15);
			assertThat(counts.get(Outcome.OK).sum()).as("answered").isPositive();
			assertThat(counts.get(Outcome.REFUSED).sum()).as("refused once the server stopped listening").isPositive();
			assertThat(refusedFrom).as("no connection refused during the delay").isGreaterThanOrEqualTo(DELAY);
			assertThat(counts.get(Outcome.OTHER).sum()).as("accepted and then lost, or failed: %s", others).isZero();
			assertThat(closedMillis).as("accepted, or completed by the kernel, and then closed before any frame")
				.isEmpty();
			assertThat(app.process().output()).contains("abandoned 0").doesNotContain(" ERROR ");
		}
	}

	private static Outcome call(GrpcSample app, Set<String> others) {
		try {
			app.hello(20, 10_000);
			return Outcome.OK;
		}
		catch (StatusRuntimeException ex) {
			if (ex.getStatus().getCode() == Status.Code.UNAVAILABLE && causedBy(ex, ConnectException.class::isInstance)) {
				return Outcome.REFUSED;
			}
			if (ex.getStatus().getCode() == Status.Code.UNAVAILABLE
					&& ("Network closed for unknown reason".equals(ex.getStatus().getDescription())
							// Read on an accepted socket, or (when the listen backlog is dropped
							// first) while the client still connects: the kernel's reset either way.
							|| causedBy(ex, (cause) -> cause instanceof SocketException
									&& ("Connection reset".equals(cause.getMessage())
											|| "Connection reset by peer".equals(cause.getMessage()))))) {
				return Outcome.CLOSED_AT_LISTENER_CLOSE;
			}
			others.add(ex.getStatus().toString());
			return Outcome.OTHER;
		}
	}

	private static boolean causedBy(Throwable ex, Predicate<Throwable> match) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (match.test(cause)) {
				return true;
			}
		}
		return false;
	}

}
