package dev.lifecycle.sample.grpc;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import org.springframework.stereotype.Service;

import dev.lifecycle.sample.grpc.proto.HelloReply;
import dev.lifecycle.sample.grpc.proto.HelloRequest;
import dev.lifecycle.sample.grpc.proto.SampleGrpc;
import dev.lifecycle.sample.grpc.proto.Tick;
import dev.lifecycle.sample.grpc.proto.TicksRequest;

/** {@code lifecycle.sample.Sample}: {@code Hello} (optionally slow) and {@code Ticks}. */
@Service
class SampleService extends SampleGrpc.SampleImplBase {

	private final ScheduledExecutorService ticker;

	SampleService(ScheduledExecutorService ticker) {
		this.ticker = ticker;
	}

	@Override
	public void hello(HelloRequest request, StreamObserver<HelloReply> responses) {
		try {
			TimeUnit.MILLISECONDS.sleep(request.getWorkMs());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			responses.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
			return;
		}
		String name = request.getName().isEmpty() ? "world" : request.getName();
		String worked = (request.getWorkMs() > 0) ? " (worked " + request.getWorkMs() + " ms)" : "";
		responses.onNext(HelloReply.newBuilder().setMessage("Hello, " + name + worked).build());
		responses.onCompleted();
	}

	@Override
	public void ticks(TicksRequest request, StreamObserver<Tick> responses) {
		ServerCallStreamObserver<Tick> stream = (ServerCallStreamObserver<Tick>) responses;
		long interval = Math.max(10, request.getIntervalMs());
		Ticking ticking = new Ticking(stream);
		stream.setOnCancelHandler(ticking::stop);
		ticking.future = this.ticker.scheduleAtFixedRate(ticking, 0, interval, TimeUnit.MILLISECONDS);
	}

	/** Ticks until the stream is cancelled, by its client or by the drain. */
	private static final class Ticking implements Runnable {

		private final ServerCallStreamObserver<Tick> stream;

		private long sequence;

		private volatile ScheduledFuture<?> future;

		private volatile boolean stopped;

		Ticking(ServerCallStreamObserver<Tick> stream) {
			this.stream = stream;
		}

		@Override
		public void run() {
			if (this.stopped || this.stream.isCancelled()) {
				stop();
				return;
			}
			this.stream.onNext(Tick.newBuilder().setSequence(++this.sequence).build());
		}

		void stop() {
			this.stopped = true;
			ScheduledFuture<?> future = this.future;
			if (future != null) {
				future.cancel(false);
			}
		}

	}

}
