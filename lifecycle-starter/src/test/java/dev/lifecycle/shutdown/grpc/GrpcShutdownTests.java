package dev.lifecycle.shutdown.grpc;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.grpc.server.autoconfigure.GrpcServerAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.ApplicationContextAssertProvider;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.grpc.server.ServerBuilderCustomizer;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

import dev.lifecycle.autoconfigure.shutdown.ShutdownAutoConfiguration;
import dev.lifecycle.autoconfigure.shutdown.grpc.GrpcShutdownAutoConfiguration;
import dev.lifecycle.shutdown.DrainBoundary;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownReport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Boot's gRPC server on the shutdown sequence, with real calls over a real connection:
 * in-flight calls drain, open streams end with UNAVAILABLE, what outlives the drain
 * timeout is reported by its method name, and only then is the server cut; beside a web
 * server or alone.
 */
class GrpcShutdownTests {

	private static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {

		@Override
		public InputStream stream(String value) {
			return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
		}

		@Override
		public String parse(InputStream stream) {
			try {
				return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	};

	private static final MethodDescriptor<String, String> WORK = method(MethodDescriptor.MethodType.UNARY, "Work");

	private static final MethodDescriptor<String, String> TICKS = method(MethodDescriptor.MethodType.SERVER_STREAMING,
			"Ticks");

	// The client connection preface, then an empty SETTINGS frame.
	private static final byte[] HTTP2_PREFACE_AND_SETTINGS = HexFormat.of()
		.parseHex("505249202a20485454502f322e300d0a0d0a534d0d0a0d0a" + "000000040000000000");

	private static final int GOAWAY = 0x7;

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withPropertyValues("spring.grpc.server.port=0")
		.withBean("calls", BindableService.class, () -> GrpcShutdownTests::calls)
		.withConfiguration(AutoConfigurations.of(ShutdownAutoConfiguration.class,
				ApplicationAvailabilityAutoConfiguration.class, LifecycleAutoConfiguration.class,
				SslAutoConfiguration.class, GrpcServerAutoConfiguration.class, GrpcShutdownAutoConfiguration.class));

	@Test
	void bootsGrpcServerStopsOnlyAfterTheDrainEnded() {
		this.contextRunner.run((context) -> {
			assertThat(context.getBean(GrpcServerLifecycle.class)).isInstanceOf(DrainedGrpcServerLifecycle.class);
			int drainEnd = context.getBean("lifecycleDrainEnd", DrainBoundary.class).getPhase();
			assertThat(context.getBean(GrpcServerLifecycle.class).getPhase()).isLessThan(drainEnd);
			assertThat(context.getBean(GrpcServerDrain.class).getPhase())
				.isEqualTo(DrainBoundary.WEB_SERVER_GRACEFUL_SHUTDOWN_PHASE);
		});
	}

	@Test
	void inFlightCallsDrainAndOpenStreamsEndWithUnavailable() {
		this.contextRunner.run((context) -> withChannel(context, (channel) -> {
			ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
			Iterator<String> ticks = ClientCalls.blockingServerStreamingCall(channel, TICKS, CallOptions.DEFAULT, "");
			assertThat(ticks.next()).isEqualTo("tick");
			CompletableFuture<String> work = CompletableFuture
				.supplyAsync(() -> ClientCalls.blockingUnaryCall(channel, WORK, CallOptions.DEFAULT, "1000"));
			awaitInFlight(coordinator, 2);

			context.close();

			assertThat(work.get(10, TimeUnit.SECONDS)).isEqualTo("worked 1000 ms");
			assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(ticks::hasNext)
				.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE))
				.withMessageContaining("retry on another server");
			ShutdownReport report = coordinator.lastReport();
			assertThat(report).isNotNull();
			assertThat(report.drained()).isEqualTo(2);
			assertThat(report.abandoned()).isEmpty();
			assertThatExceptionOfType(StatusRuntimeException.class)
				.isThrownBy(() -> ClientCalls.blockingUnaryCall(channel, WORK, CallOptions.DEFAULT, "0"))
				.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
		}));
	}

	@Test
	void callsThatOutliveTheDrainTimeoutAreReportedByMethodNameThenCut() {
		this.contextRunner.withPropertyValues("lifecycle.shutdown.drain-timeout=500ms")
			.run((context) -> withChannel(context, (channel) -> {
				ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
				CompletableFuture<String> work = CompletableFuture
					.supplyAsync(() -> ClientCalls.blockingUnaryCall(channel, WORK, CallOptions.DEFAULT, "30000"));
				awaitInFlight(coordinator, 1);
				long closing = System.nanoTime();

				context.close();

				assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(5));
				ShutdownReport report = coordinator.lastReport();
				assertThat(report).isNotNull();
				assertThat(report.abandoned()).singleElement()
					.satisfies((call) -> assertThat(call.toString()).startsWith("gRPC test.Calls/Work after"));
				assertThat(work).failsWithin(Duration.ofSeconds(5));
			}));
	}

	@Test
	void connectionsQueuedInTheListenBacklogAtTheDrainGetAGoAwayNotAReset() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			int port = context.getBean(GrpcServerLifecycle.class).getPort();
			// The listener stops taking connections, so the kernel queues them, as under load.
			for (Channel listener : context.getBean(NettyGrpcListeners.class).listeners()) {
				listener.eventLoop().submit(() -> listener.config().setAutoRead(false)).sync();
			}
			List<CompletableFuture<List<Integer>>> framesReceived = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				Socket queued = new Socket("127.0.0.1", port);
				queued.setSoTimeout(10_000);
				queued.getOutputStream().write(HTTP2_PREFACE_AND_SETTINGS);
				framesReceived.add(CompletableFuture.supplyAsync(() -> frameTypes(queued)));
			}

			context.close();

			for (CompletableFuture<List<Integer>> frames : framesReceived) {
				assertThat(frames.get(10, TimeUnit.SECONDS)).as("HTTP/2 frame types received").contains(GOAWAY);
			}
		});
	}

	@Test
	void aCustomizerWithItsOwnTransportKeepsIt() {
		EventLoopGroup eventLoops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
		try {
			ServerBuilderCustomizer<NettyServerBuilder> ownTransport = (builder) -> builder
				.channelType(NioServerSocketChannel.class)
				.bossEventLoopGroup(eventLoops)
				.workerEventLoopGroup(eventLoops);
			this.contextRunner.withBean("ownTransport", ServerBuilderCustomizer.class, () -> ownTransport)
				.run((context) -> withChannel(context, (channel) -> {
					assertThat(ClientCalls.blockingUnaryCall(channel, WORK, CallOptions.DEFAULT, "0"))
						.isEqualTo("worked 0 ms");
					assertThat(context.getBean(NettyGrpcListeners.class).listeners()).isEmpty();
				}));
		}
		finally {
			eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
		}
	}

	@Test
	void aGrpcOnlyApplicationGetsTheWholeSequence() {
		// No web server, not even its module: what a service with only Boot's gRPC server has.
		new ApplicationContextRunner().withPropertyValues("spring.grpc.server.port=0", "lifecycle.shutdown.delay=1s")
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.web.server"))
			.withBean("calls", BindableService.class, () -> GrpcShutdownTests::calls)
			.withConfiguration(AutoConfigurations.of(ShutdownAutoConfiguration.class,
					ApplicationAvailabilityAutoConfiguration.class, LifecycleAutoConfiguration.class,
					SslAutoConfiguration.class, GrpcServerAutoConfiguration.class, GrpcShutdownAutoConfiguration.class))
			.run((context) -> withChannel(context, (channel) -> {
				AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
				ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
				Iterator<String> ticks = ClientCalls.blockingServerStreamingCall(channel, TICKS, CallOptions.DEFAULT, "");
				assertThat(ticks.next()).isEqualTo("tick");
				CompletableFuture<String> work = CompletableFuture
					.supplyAsync(() -> ClientCalls.blockingUnaryCall(channel, WORK, CallOptions.DEFAULT, "1500"));
				awaitInFlight(coordinator, 2);
				ApplicationAvailability availability = context.getBean(ApplicationAvailability.class);

				context.close();

				assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
				assertThat(work.get(10, TimeUnit.SECONDS)).isEqualTo("worked 1500 ms");
				assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(ticks::hasNext)
					.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
				ShutdownReport report = coordinator.lastReport();
				assertThat(report).isNotNull();
				assertThat(report.summary()).containsPattern("delay 1(\\.\\d)? s \\(elapsed");
				assertThat(report.drained()).as("the call and the stream").isEqualTo(2);
				assertThat(report.abandoned()).isEmpty();
			}));
	}

	@Test
	void nothingGrpcRelatedWithoutBootsGrpcServer() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("io.grpc", "org.springframework.grpc"))
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(ShutdownCoordinator.class);
				assertThat(context.getBeanNamesForType(Object.class))
					.noneMatch((name) -> name.toLowerCase().contains("grpc"));
			});
	}

	@Test
	void servletAndReactiveApplicationsWithoutAGrpcServiceAreUnaffected() {
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ShutdownAutoConfiguration.class,
					ApplicationAvailabilityAutoConfiguration.class, LifecycleAutoConfiguration.class,
					SslAutoConfiguration.class, GrpcServerAutoConfiguration.class, GrpcShutdownAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(GrpcServerDrain.class)
				.doesNotHaveBean(InFlightCallInterceptor.class)
				.doesNotHaveBean(GrpcServerLifecycle.class));
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ShutdownAutoConfiguration.class,
					ApplicationAvailabilityAutoConfiguration.class, LifecycleAutoConfiguration.class,
					SslAutoConfiguration.class, GrpcServerAutoConfiguration.class, GrpcShutdownAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(GrpcServerDrain.class)
				.doesNotHaveBean(InFlightCallInterceptor.class));
	}

	@Test
	void backsOffWhenTheStarterIsOff() {
		this.contextRunner.withPropertyValues("lifecycle.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(GrpcServerDrain.class);
			assertThat(context.getBean(GrpcServerLifecycle.class)).isNotInstanceOf(DrainedGrpcServerLifecycle.class);
		});
	}

	/** The frame types a client connection receives until it ends, by a close or a reset. */
	private static List<Integer> frameTypes(Socket socket) {
		List<Integer> types = new ArrayList<>();
		try (socket; DataInputStream in = new DataInputStream(socket.getInputStream())) {
			byte[] header = new byte[9];
			while (in.read(header, 0, 1) == 1) {
				in.readFully(header, 1, 8);
				int length = ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
				types.add(header[3] & 0xff);
				in.skipNBytes(length);
			}
		}
		catch (IOException ex) {
			// A reset: the frames received before it are the answer.
		}
		return types;
	}

	private static void awaitInFlight(ShutdownCoordinator coordinator, int count) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (coordinator.requests().count() < count) {
			assertThat(System.nanoTime()).as("%d call(s) in flight", count).isLessThan(deadline);
			TimeUnit.MILLISECONDS.sleep(10);
		}
	}

	private static void withChannel(ApplicationContextAssertProvider<?> context, ChannelUse use) throws Exception {
		assertThat(context).hasNotFailed();
		int port = context.getBean(GrpcServerLifecycle.class).getPort();
		ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
		try {
			use.run(channel);
		}
		finally {
			channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
	}

	@FunctionalInterface
	private interface ChannelUse {

		void run(ManagedChannel channel) throws Exception;

	}

	private static ServerServiceDefinition calls() {
		return ServerServiceDefinition.builder("test.Calls")
			.addMethod(WORK, ServerCalls.asyncUnaryCall((millis, response) -> {
				try {
					TimeUnit.MILLISECONDS.sleep(Long.parseLong(millis));
					response.onNext("worked " + millis + " ms");
					response.onCompleted();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					response.onError(Status.CANCELLED.asRuntimeException());
				}
			}))
			// One tick, then the stream stays open until the drain ends it.
			.addMethod(TICKS, ServerCalls.asyncServerStreamingCall((request, response) -> response.onNext("tick")))
			.build();
	}

	private static MethodDescriptor<String, String> method(MethodDescriptor.MethodType type, String name) {
		return MethodDescriptor.<String, String>newBuilder()
			.setType(type)
			.setFullMethodName(MethodDescriptor.generateFullMethodName("test.Calls", name))
			.setRequestMarshaller(TEXT)
			.setResponseMarshaller(TEXT)
			.build();
	}

}
