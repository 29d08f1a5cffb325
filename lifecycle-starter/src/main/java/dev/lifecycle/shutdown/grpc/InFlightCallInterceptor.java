package dev.lifecycle.shutdown.grpc;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import org.springframework.core.Ordered;

import dev.lifecycle.shutdown.InFlightRequests;

/**
 * Tracks each gRPC call from its start until it completes or is cancelled, as the
 * servlet filter and the WebFlux filter track requests, so that gRPC calls count in the
 * in-flight meter, the drain and the report ({@code gRPC package.Service/Method}). Calls
 * of the health and reflection services are not traffic and are not counted.
 * <p>
 * Server-streaming and bidirectional calls still open when the drain begins end with
 * status {@code UNAVAILABLE}: a status the client's retry policy and load balancer
 * understand as "try another server", where cutting the stream would surface as
 * {@code CANCELLED} or a reset.
 */
public final class InFlightCallInterceptor implements ServerInterceptor, Ordered {

	/** What a stream open at the drain ends with. */
	static final Status DRAINED = Status.UNAVAILABLE
		.withDescription("Server shutting down: stream ended by the drain, retry on another server");

	private static final String METHOD = "gRPC";

	private static final Set<String> UNTRACKED_SERVICES = Set.of("grpc.health.v1.Health",
			"grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");

	private final InFlightRequests requests;

	private final Set<DrainableCall<?, ?>> untrackedStreams = ConcurrentHashMap.newKeySet();

	/**
	 * Creates the interceptor.
	 *
	 * @param requests the requests in flight, which gRPC calls join
	 */
	public InFlightCallInterceptor(InFlightRequests requests) {
		this.requests = requests;
	}

	@Override
	public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
			ServerCallHandler<ReqT, RespT> next) {
		MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
		boolean stream = !method.getType().serverSendsOneMessage();
		DrainableCall<ReqT, RespT> drainable = stream ? new DrainableCall<>(call) : null;
		ServerCall<ReqT, RespT> served = (drainable != null) ? drainable : call;
		if (UNTRACKED_SERVICES.contains(method.getServiceName())) {
			if (drainable == null) {
				return next.startCall(call, headers);
			}
			// A health Watch never ends by itself: the drain ends it, uncounted.
			this.untrackedStreams.add(drainable);
			return onEnd(next.startCall(served, headers), () -> this.untrackedStreams.remove(drainable));
		}
		InFlightRequests.Request tracked = this.requests.begin(METHOD, method.getFullMethodName());
		if (drainable != null) {
			tracked.endStreamOnDrain(drainable::endForDrain);
		}
		try {
			return onEnd(next.startCall(served, headers), tracked::end);
		}
		catch (RuntimeException | Error ex) {
			tracked.end();
			throw ex;
		}
	}

	/**
	 * Ends the open streams that are not counted as traffic (health {@code Watch}), which
	 * would otherwise hold the server's termination until the drain timeout.
	 * @return how many were ended
	 */
	int endUntrackedStreams() {
		int ended = 0;
		for (DrainableCall<?, ?> stream : this.untrackedStreams) {
			ended += stream.endForDrain() ? 1 : 0;
		}
		return ended;
	}

	private static <ReqT> ServerCall.Listener<ReqT> onEnd(ServerCall.Listener<ReqT> listener, Runnable end) {
		return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {

			@Override
			public void onComplete() {
				try {
					super.onComplete();
				}
				finally {
					end.run();
				}
			}

			@Override
			public void onCancel() {
				try {
					super.onCancel();
				}
				finally {
					end.run();
				}
			}

		};
	}

	@Override
	public int getOrder() {
		// Outermost: it must see every call, including those other interceptors reject.
		return Ordered.HIGHEST_PRECEDENCE;
	}

	/**
	 * A streaming call the drain can close from its own thread. A {@link ServerCall} is
	 * not thread-safe, so the service's writes and the drain's close take turns; after the
	 * drain closed it, the call reads as cancelled, so that a service that checks
	 * {@code isCancelled()} stops, and what the service still writes is dropped.
	 */
	private static final class DrainableCall<ReqT, RespT>
			extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {

		private final Object lock = new Object();

		private boolean closed;

		private volatile boolean endedByDrain;

		DrainableCall(ServerCall<ReqT, RespT> delegate) {
			super(delegate);
		}

		boolean endForDrain() {
			synchronized (this.lock) {
				if (this.closed) {
					return false;
				}
				this.closed = true;
				this.endedByDrain = true;
				super.close(DRAINED, new Metadata());
				return true;
			}
		}

		@Override
		public void sendHeaders(Metadata headers) {
			synchronized (this.lock) {
				if (!this.closed) {
					super.sendHeaders(headers);
				}
			}
		}

		@Override
		public void sendMessage(RespT message) {
			synchronized (this.lock) {
				if (!this.closed) {
					super.sendMessage(message);
				}
			}
		}

		@Override
		public void close(Status status, Metadata trailers) {
			synchronized (this.lock) {
				if (!this.closed) {
					this.closed = true;
					super.close(status, trailers);
				}
			}
		}

		@Override
		public boolean isReady() {
			return !this.endedByDrain && super.isReady();
		}

		@Override
		public boolean isCancelled() {
			return this.endedByDrain || super.isCancelled();
		}

	}

}
