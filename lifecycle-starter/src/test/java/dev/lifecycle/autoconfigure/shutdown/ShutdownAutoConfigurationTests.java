package dev.lifecycle.autoconfigure.shutdown;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.test.util.ReflectionTestUtils;
import org.springframework.web.server.WebFilter;

import dev.lifecycle.autoconfigure.InvalidLifecycleConfigurationException;
import dev.lifecycle.autoconfigure.InvalidLifecycleConfigurationFailureAnalyzer;
import dev.lifecycle.shutdown.DrainBoundary;
import dev.lifecycle.shutdown.ShutdownBudget;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.shutdown.ShutdownPhase;
import dev.lifecycle.shutdown.reactive.InFlightExchangeFilter;
import dev.lifecycle.shutdown.reactive.ReactorNettyAcceptedConnections;
import dev.lifecycle.shutdown.servlet.TrackingWebSocketHandlerAdapter;

import static org.assertj.core.api.Assertions.assertThat;

class ShutdownAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ShutdownAutoConfiguration.class,
				ServerConnectionsAutoConfiguration.class, ApplicationAvailabilityAutoConfiguration.class,
				LifecycleAutoConfiguration.class));

	private final ReactiveWebApplicationContextRunner reactiveContextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ShutdownAutoConfiguration.class,
				ServerConnectionsAutoConfiguration.class, ApplicationAvailabilityAutoConfiguration.class,
				LifecycleAutoConfiguration.class));

	@Test
	void outsideKubernetesTheDelayIsZeroSoCtrlCStaysFast() {
		this.contextRunner.run((context) -> {
			ShutdownBudget budget = context.getBean(ShutdownBudget.class);
			assertThat(budget.terminationGracePeriod().value()).isEqualTo(Duration.ofSeconds(30));
			assertThat(budget.delay().value()).isZero();
			assertThat(budget.delay().source()).isEqualTo("default outside Kubernetes");
			assertThat(budget.margin().value()).isEqualTo(Duration.ofSeconds(2));
			assertThat(budget.drainTimeout().value()).isEqualTo(Duration.ofSeconds(28));
			assertThat(budget.drainTimeout().source()).isEqualTo("derived: grace period - delay - margin");
			assertThat(budget.quietPeriod()).isNull();
		});
	}

	@Test
	void onKubernetesTheDelayDefaultsToFiveSecondsAndTheDrainTakesWhatIsLeft() {
		this.contextRunner.withPropertyValues("spring.main.cloud-platform=kubernetes").run((context) -> {
			ShutdownBudget budget = context.getBean(ShutdownBudget.class);
			assertThat(budget.delay().value()).isEqualTo(Duration.ofSeconds(5));
			assertThat(budget.delay().source()).isEqualTo("default on Kubernetes");
			assertThat(budget.drainTimeout().value()).isEqualTo(Duration.ofSeconds(23));
		});
	}

	@Test
	void drainTimeoutIsDerivedFromTheGracePeriodTheUserSets() {
		this.contextRunner
			.withPropertyValues("lifecycle.termination-grace-period=60s", "lifecycle.shutdown.delay=10s",
					"lifecycle.shutdown.margin=5s", "lifecycle.shutdown.quiet-period=1s")
			.run((context) -> {
				ShutdownBudget budget = context.getBean(ShutdownBudget.class);
				assertThat(budget.drainTimeout().value()).isEqualTo(Duration.ofSeconds(45));
				assertThat(budget.quietPeriod().value()).isEqualTo(Duration.ofSeconds(1));
				assertThat(budget.delay().source()).startsWith("from ");
				assertThat(budget.fitsGracePeriod()).isTrue();
			});
	}

	@Test
	void theQuietPeriodsFloorDefaultsToThreeSecondsCappedByTheDelay() {
		this.contextRunner.withPropertyValues("spring.main.cloud-platform=kubernetes", "lifecycle.shutdown.quiet-period=1s")
			.run((context) -> {
				ShutdownBudget budget = context.getBean(ShutdownBudget.class);
				assertThat(budget.minDelay().value()).isEqualTo(Duration.ofSeconds(3));
				assertThat(budget.minDelay().source()).isEqualTo("default");
			});
		this.contextRunner.withPropertyValues("lifecycle.shutdown.delay=2s", "lifecycle.shutdown.quiet-period=500ms")
			.run((context) -> {
				ShutdownBudget budget = context.getBean(ShutdownBudget.class);
				assertThat(budget.minDelay().value()).isEqualTo(Duration.ofSeconds(2));
				assertThat(budget.minDelay().source()).isEqualTo("default, capped by the delay");
			});
		this.contextRunner.withPropertyValues("lifecycle.shutdown.delay=6s", "lifecycle.shutdown.quiet-period=1s",
				"lifecycle.shutdown.min-delay=4s").run((context) -> {
					ShutdownBudget budget = context.getBean(ShutdownBudget.class);
					assertThat(budget.minDelay().value()).isEqualTo(Duration.ofSeconds(4));
				});
		this.contextRunner.withPropertyValues("lifecycle.shutdown.delay=6s")
			.run((context) -> assertThat(context.getBean(ShutdownBudget.class).minDelay())
				.as("no quiet period, nothing to floor").isNull());
	}

	@Test
	void settingsMeantForKubernetesStartOnADeveloperMachineWhereTheDelayIsZero() {
		this.contextRunner.withPropertyValues("lifecycle.shutdown.quiet-period=1s", "lifecycle.shutdown.min-delay=3s")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aBareGracePeriodIsInSecondsLikeTerminationGracePeriodSeconds() {
		this.contextRunner.withPropertyValues("lifecycle.termination-grace-period=45").run((context) -> {
			ShutdownBudget budget = context.getBean(ShutdownBudget.class);
			assertThat(budget.terminationGracePeriod().value()).isEqualTo(Duration.ofSeconds(45));
		});
	}

	@Test
	void drainTimeoutDefaultsToTheUsersPhaseTimeoutWhenOnlyThatIsSet() {
		this.contextRunner.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=12s").run((context) -> {
			ShutdownBudget budget = context.getBean(ShutdownBudget.class);
			assertThat(budget.drainTimeout().value()).isEqualTo(Duration.ofSeconds(12));
			assertThat(budget.drainTimeout().source()).isEqualTo("from spring.lifecycle.timeout-per-shutdown-phase");
		});
	}

	@Test
	void registersTheRequestTrackingFilterFirstInTheChain() {
		this.contextRunner.run((context) -> {
			FilterRegistrationBean<?> registration = context.getBean(FilterRegistrationBean.class);
			assertThat(registration.getOrder()).isEqualTo(Integer.MIN_VALUE);
		});
	}

	@Test
	void servletAppGetsTheServletFilterAndNoWebFilter() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(FilterRegistrationBean.class);
			assertThat(context).doesNotHaveBean(WebFilter.class);
		});
	}

	@Test
	void servletAppServesWebSocketHandshakesAheadOfSpringMvcsAdapter() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(TrackingWebSocketHandlerAdapter.class);
			assertThat(context.getBean(TrackingWebSocketHandlerAdapter.class).getOrder())
				.isEqualTo(Ordered.HIGHEST_PRECEDENCE);
		});
	}

	@Test
	void servletAppWithoutSpringWebSocketGetsNoWebSocketAdapter() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.web.socket"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(TrackingWebSocketHandlerAdapter.class);
			});
	}

	@Test
	void reactiveAppWrapsWebFluxWebSocketHandlers() {
		this.reactiveContextRunner.run((context) -> {
			assertThat(context).hasSingleBean(dev.lifecycle.shutdown.reactive.TrackingWebSocketHandlerAdapter.class);
			assertThat(context).doesNotHaveBean(TrackingWebSocketHandlerAdapter.class);
			assertThat(context).hasSingleBean(ReactorNettyAcceptedConnections.class);
		});
	}

	@Test
	void reactiveAppGetsTheWebFilterFirstAndNoServletFilter() {
		this.reactiveContextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ShutdownCoordinator.class);
			assertThat(context).hasSingleBean(InFlightExchangeFilter.class);
			assertThat(context.getBean(InFlightExchangeFilter.class).getOrder()).isEqualTo(Ordered.HIGHEST_PRECEDENCE);
			assertThat(context).doesNotHaveBean(FilterRegistrationBean.class);
		});
	}

	@Test
	void reactiveAppStartsWithoutTheServletApiOnTheClasspath() {
		this.reactiveContextRunner.withClassLoader(new FilteredClassLoader("jakarta.servlet", "org.apache.catalina",
				"org.springframework.boot.web.servlet", "org.springframework.web.servlet"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).hasSingleBean(InFlightExchangeFilter.class);
			});
	}

	@Test
	void reactiveAppRunsTheSameSequenceAndReports() {
		this.reactiveContextRunner.run((context) -> {
			ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
			context.close();
			assertThat(coordinator.phase()).isEqualTo(ShutdownPhase.COMPLETE);
			assertThat(coordinator.lastReport().phases()).containsKeys(ShutdownPhase.REFUSE, ShutdownPhase.DELAY,
					ShutdownPhase.DRAIN, ShutdownPhase.ABANDON, ShutdownPhase.TASKS, ShutdownPhase.CLOSE);
		});
	}

	@Test
	void reactorNettyLoopsStopWithoutAQuietPeriodSoTheCloseFitsTheMargin() {
		this.reactiveContextRunner.withBean(ReactorResourceFactory.class)
			.run((context) -> assertThat(quietPeriod(context.getBean(ReactorResourceFactory.class)))
				.isEqualTo(Duration.ZERO));
	}

	@Test
	void reactorNettyQuietPeriodTheUserSetIsKept() {
		this.reactiveContextRunner.withBean(ReactorResourceFactory.class)
			.withPropertyValues("spring.reactor.netty.shutdown-quiet-period=2s")
			.run((context) -> assertThat(quietPeriod(context.getBean(ReactorResourceFactory.class)))
				.isEqualTo(Duration.ofSeconds(2)));
	}

	private static Object quietPeriod(ReactorResourceFactory factory) {
		return ReflectionTestUtils.getField(factory, "shutdownQuietPeriod");
	}

	@Test
	void reactiveAppBacksOffEntirelyWhenDisabled() {
		this.reactiveContextRunner.withPropertyValues("lifecycle.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ShutdownCoordinator.class)
				.doesNotHaveBean(WebFilter.class));
	}

	@Test
	void backsOffEntirelyWhenDisabled() {
		this.contextRunner.withPropertyValues("lifecycle.enabled=false", "lifecycle.shutdown.delay=-1s")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(ShutdownCoordinator.class);
				assertThat(context).doesNotHaveBean(FilterRegistrationBean.class);
				assertThat(context).doesNotHaveBean("lifecycleShutdownPhaseTimeouts");
			});
	}

	@Test
	void staysOutOfApplicationsWithoutAWebServer() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ShutdownAutoConfiguration.class,
					ApplicationAvailabilityAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ShutdownCoordinator.class));
	}

	@Test
	void closingTheContextRunsTheSequenceAndReports() {
		this.contextRunner.run((context) -> {
			ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
			assertThat(coordinator.phase()).isEqualTo(ShutdownPhase.SERVING);
			context.close();
			assertThat(coordinator.phase()).isEqualTo(ShutdownPhase.COMPLETE);
			assertThat(coordinator.lastReport()).isNotNull();
			assertThat(coordinator.lastReport().phases()).containsKeys(ShutdownPhase.REFUSE, ShutdownPhase.DELAY,
					ShutdownPhase.DRAIN, ShutdownPhase.ABANDON, ShutdownPhase.TASKS, ShutdownPhase.CLOSE, ShutdownPhase.COMPLETE);
		});
	}

	@Test
	void theDrainTimeoutBoundsBootsGracefulShutdownPhase() {
		this.contextRunner.withUserConfiguration(LifecycleThatNeverStops.class)
			.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=60s",
					"lifecycle.termination-grace-period=70s", "lifecycle.shutdown.drain-timeout=300ms")
			.run((context) -> assertThat(timeToClose(context)).isLessThan(Duration.ofSeconds(10)));
	}

	@Test
	void otherShutdownPhasesGetHalfTheMarginUnlessTheUserSetTheirTimeout() {
		this.contextRunner.withUserConfiguration(LifecycleThatNeverStops.class)
			.withPropertyValues("lifecycle.shutdown.margin=3s", "lifecycle.shutdown.drain-timeout=8s",
					"never-stopping-phase=0")
			.run((context) -> assertThat(timeToClose(context)).isBetween(Duration.ofMillis(1400),
					Duration.ofMillis(2900)));
	}

	@Test
	void negativeDelayFailsStartupNamingThePropertyAndTheFix() {
		assertFailure(this.contextRunner.withPropertyValues("lifecycle.shutdown.delay=-1s"),
				"lifecycle.shutdown.delay (-1s, from property source \"test\")", "cannot be negative",
				"Set lifecycle.shutdown.delay to 0 to turn the delay off");
	}

	@Test
	void zeroGracePeriodFailsStartup() {
		assertFailure(this.contextRunner.withPropertyValues("lifecycle.termination-grace-period=0s"),
				"lifecycle.termination-grace-period (0s, from", "must be longer than zero",
				"terminationGracePeriodSeconds");
	}

	@Test
	void zeroDrainTimeoutFailsStartup() {
		assertFailure(this.contextRunner.withPropertyValues("lifecycle.shutdown.drain-timeout=0s"),
				"lifecycle.shutdown.drain-timeout (0s, from", "must be longer than zero");
	}

	@Test
	void negativeMarginFailsStartup() {
		assertFailure(this.contextRunner.withPropertyValues("lifecycle.shutdown.margin=-2s"),
				"lifecycle.shutdown.margin (-2s, from", "cannot be negative");
	}

	@Test
	void zeroQuietPeriodFailsStartup() {
		assertFailure(this.contextRunner.withPropertyValues("lifecycle.shutdown.quiet-period=0ms"),
				"lifecycle.shutdown.quiet-period (0s, from", "must be longer than zero",
				"or remove it to always wait the full delay");
	}

	@Test
	void budgetOverTheGracePeriodFailsStartupAndSaysWhatDrainTimeoutWouldFit() {
		assertFailure(
				this.contextRunner.withPropertyValues("lifecycle.shutdown.delay=10s",
						"lifecycle.shutdown.drain-timeout=25s"),
				"lifecycle.shutdown.delay (10s, from", "+ lifecycle.shutdown.drain-timeout (25s, from",
				"+ lifecycle.shutdown.margin (2s, default) = 37s exceeds lifecycle.termination-grace-period (30s, default)",
				"Kubernetes would SIGKILL the pod mid-drain",
				"Lower lifecycle.shutdown.drain-timeout to 18s or less, or raise the pod's terminationGracePeriodSeconds");
	}

	@Test
	void delayAndMarginThatLeaveNoTimeToDrainFailStartup() {
		assertFailure(this.contextRunner.withPropertyValues("lifecycle.shutdown.delay=28s"),
				"leave no time to drain in-flight requests within lifecycle.termination-grace-period (30s, default)",
				"Lower lifecycle.shutdown.delay or lifecycle.shutdown.margin");
	}

	@Test
	void usersPhaseTimeoutThatBreaksTheBudgetFailsStartup() {
		assertFailure(
				this.contextRunner.withPropertyValues("spring.main.cloud-platform=kubernetes",
						"spring.lifecycle.timeout-per-shutdown-phase=40s"),
				"spring.lifecycle.timeout-per-shutdown-phase (40s, from", "exceeds the 23s that",
				"Remove spring.lifecycle.timeout-per-shutdown-phase (the starter derives it from the budget), or lower it to 23s or less.");
	}

	@Test
	void usersPhaseTimeoutIsCheckedEvenWhenDrainTimeoutIsSet() {
		assertFailure(
				this.contextRunner.withPropertyValues("lifecycle.shutdown.drain-timeout=10s",
						"spring.lifecycle.timeout-per-shutdown-phase=29s"),
				"spring.lifecycle.timeout-per-shutdown-phase (29s, from", "exceeds the 28s that");
	}

	@Test
	void immediateServerShutdownFailsStartupBecauseNothingWouldDrain() {
		assertFailure(this.contextRunner.withPropertyValues("server.shutdown=immediate"),
				"server.shutdown=immediate (from", "without draining in-flight requests",
				"or set lifecycle.enabled=false");
	}

	@ParameterizedTest
	@ValueSource(strings = { "lifecycle.termination-grace-period", "lifecycle.shutdown.delay",
			"lifecycle.shutdown.quiet-period", "lifecycle.shutdown.drain-timeout", "lifecycle.shutdown.margin",
			"lifecycle.shutdown.connection-close" })
	void aValueOfTheWrongTypeFailsStartupNamingTheProperty(String property) {
		this.contextRunner.withPropertyValues(property + "=five seconds").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasStackTraceContaining("Failed to bind properties under '" + property + "'");
		});
	}

	@Test
	void everyProblemIsReportedAtOnce() {
		assertFailure(
				this.contextRunner.withPropertyValues("lifecycle.shutdown.delay=-1s", "lifecycle.shutdown.margin=-1s",
						"server.shutdown=immediate"),
				"lifecycle.shutdown.delay (-1s", "lifecycle.shutdown.margin (-1s", "server.shutdown=immediate");
	}

	private void assertFailure(WebApplicationContextRunner runner, String... expected) {
		runner.run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().isInstanceOf(InvalidLifecycleConfigurationException.class);
			FailureAnalysis analysis = new InvalidLifecycleConfigurationFailureAnalyzer()
				.analyze(context.getStartupFailure());
			assertThat(analysis).isNotNull();
			assertThat(analysis.getDescription() + "\n" + analysis.getAction()).contains(expected);
		});
	}

	private static Duration timeToClose(AssertableWebApplicationContext context) {
		long start = System.nanoTime();
		context.close();
		return Duration.ofNanos(System.nanoTime() - start);
	}

	/** A lifecycle bean whose asynchronous stop never completes, like a request that never ends. */
	@Configuration(proxyBeanMethods = false)
	static class LifecycleThatNeverStops {

		@Bean
		SmartLifecycle neverStops(org.springframework.core.env.Environment environment) {
			int phase = environment.getProperty("never-stopping-phase", Integer.class,
					DrainBoundary.WEB_SERVER_GRACEFUL_SHUTDOWN_PHASE);
			return new SmartLifecycle() {

				private volatile boolean running;

				@Override
				public void start() {
					this.running = true;
				}

				@Override
				public void stop() {
					throw new UnsupportedOperationException("stopped asynchronously only");
				}

				@Override
				public void stop(Runnable callback) {
					// Never calls back: only the phase timeout ends the wait.
				}

				@Override
				public boolean isRunning() {
					return this.running;
				}

				@Override
				public int getPhase() {
					return phase;
				}

			};
		}

	}

}
