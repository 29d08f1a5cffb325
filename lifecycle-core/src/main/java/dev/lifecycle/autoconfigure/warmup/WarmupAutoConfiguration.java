package dev.lifecycle.autoconfigure.warmup;

import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLSocketFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServerSslBundle;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.lifecycle.autoconfigure.InvalidLifecycleConfigurationException;
import dev.lifecycle.autoconfigure.InvalidLifecycleConfigurationException.Problem;
import dev.lifecycle.autoconfigure.LifecycleProperties;
import dev.lifecycle.autoconfigure.LifecycleProperties.Warmup.Until;
import dev.lifecycle.warmup.HttpWarmupRequests;
import dev.lifecycle.warmup.JitSettleRule;
import dev.lifecycle.warmup.Warmup;
import dev.lifecycle.warmup.WarmupPhase;
import dev.lifecycle.warmup.WarmupTask;

/**
 * The optional warm-up between start-up and readiness. The readiness group holds on the
 * {@code warmup} indicator (a default set by the probe groups' post-processor when
 * {@code lifecycle.warmup.enabled=true}), and the startup probe on the phase as a startup
 * check.
 */
@AutoConfiguration
@ConditionalOnWebApplication
@ConditionalOnBooleanProperty(name = "lifecycle.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty("lifecycle.warmup.enabled")
@EnableConfigurationProperties(LifecycleProperties.class)
public final class WarmupAutoConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(WarmupAutoConfiguration.class);

	/** Created by Spring as an auto-configuration. */
	public WarmupAutoConfiguration() {
	}

	@Bean
	WarmupPhase lifecycleWarmupPhase(ApplicationContext context, LifecycleProperties properties,
			ListableBeanFactory beanFactory,
			ObjectProvider<SslBundles> sslBundles) {
		LifecycleProperties.Warmup settings = properties.getWarmup();
		Map<String, WarmupTask> tasks = beanFactory.getBeansOfType(WarmupTask.class);
		validate(settings, tasks);
		HttpWarmupRequests requests = new HttpWarmupRequests(
				() -> context.getEnvironment().getRequiredProperty("local.server.port", Integer.class),
				serverTls(Binder.get(context.getEnvironment()).bind("server.ssl", Ssl.class).orElse(null),
						sslBundles.getIfAvailable()));
		Warmup warmup = new Warmup(settings.getPaths(), settings.getIterations(), settleRule(settings),
				settings.getConcurrency(), settings.getTimeout(), tasks, requests);
		return new WarmupPhase(context, warmup);
	}

	// With server.ssl the port speaks only HTTPS: the warm-up trusts the server's own certificates.
	private static @Nullable SSLSocketFactory serverTls(@Nullable Ssl ssl,
			@Nullable SslBundles sslBundles) {
		if (!Ssl.isEnabled(ssl)) {
			return null;
		}
		try {
			KeyStore keyStore = WebServerSslBundle.get(ssl, sslBundles).getStores().getKeyStore();
			if (keyStore != null) {
				return HttpWarmupRequests.trustingOnly(keyStore);
			}
			logger.warn("server.ssl is enabled but its bundle has no key store: the warm-up cannot trust the "
					+ "server's certificate, and its requests will fail");
		}
		catch (Exception ex) {
			logger.warn("server.ssl is enabled but the warm-up could not read the server's certificates ({}): "
					+ "its requests will fail", ex.toString());
		}
		return null;
	}

	private static @Nullable JitSettleRule settleRule(LifecycleProperties.Warmup settings) {
		if (settings.getUntil() != Until.JIT_SETTLED || settings.getPaths().isEmpty()) {
			return null;
		}
		JitSettleRule rule = JitSettleRule.ofThisJvm(settings.getSettleWindow(), settings.getSettleThreshold());
		if (rule == null) {
			logger.warn("lifecycle.warmup.until=jit-settled, but this JVM does not report its JIT compilation time "
					+ "(no CompilationMXBean, or no compilation time monitoring): the warm-up requests each path "
					+ "lifecycle.warmup.iterations ({}) times instead", settings.getIterations());
		}
		return rule;
	}

	private static void validate(LifecycleProperties.Warmup settings, Map<String, WarmupTask> tasks) {
		List<Problem> problems = new ArrayList<>();
		for (int i = 0; i < settings.getPaths().size(); i++) {
			String target = settings.getPaths().get(i);
			String property = "lifecycle.warmup.paths[" + i + "]";
			int space = target.indexOf(' ');
			String method = (space > 0) ? target.substring(0, space) : "GET";
			String path = (space > 0) ? target.substring(space + 1) : target;
			if (!method.equals("GET") && !method.equals("HEAD")) {
				problems.add(new Problem(property + " (" + target + ") uses " + method
						+ "; warm-up requests run on every start and must not change anything.",
						"Warm up with GET or HEAD requests only, or do the work in a WarmupTask bean."));
			}
			if (!path.startsWith("/")) {
				problems.add(new Problem(property + " (" + target + ") is not a path of this application.",
						"Write it as a path starting with /, such as /" + path + "."));
			}
		}
		if (settings.getIterations() < 1) {
			problems.add(new Problem("lifecycle.warmup.iterations (" + settings.getIterations() + ") must be at least 1.",
					"Set lifecycle.warmup.iterations to how many times each path is requested, such as 20."));
		}
		if (settings.getConcurrency() < 1) {
			problems.add(new Problem(
					"lifecycle.warmup.concurrency (" + settings.getConcurrency() + ") must be at least 1.",
					"Set lifecycle.warmup.concurrency to how many requests run at once, such as 2."));
		}
		if (settings.getTimeout().isNegative() || settings.getTimeout().isZero()) {
			problems.add(new Problem("lifecycle.warmup.timeout (" + settings.getTimeout() + ") must be longer than zero.",
					"Set lifecycle.warmup.timeout to the warm-up's budget, such as 30s."));
		}
		if (settings.getUntil() == Until.JIT_SETTLED) {
			validateSettleRule(settings, problems);
		}
		if (settings.getPaths().isEmpty() && tasks.isEmpty()) {
			problems.add(new Problem(
					"lifecycle.warmup.enabled=true, but there is nothing to warm up: no lifecycle.warmup.paths and no WarmupTask bean.",
					"Set lifecycle.warmup.paths (such as /hello), declare a WarmupTask bean, or set lifecycle.warmup.enabled=false."));
		}
		if (!problems.isEmpty()) {
			throw new InvalidLifecycleConfigurationException(problems);
		}
	}

	private static void validateSettleRule(LifecycleProperties.Warmup settings, List<Problem> problems) {
		Duration window = settings.getSettleWindow();
		Duration threshold = settings.getSettleThreshold();
		if (window.toMillis() < 1) {
			problems.add(new Problem("lifecycle.warmup.settle-window (" + window + ") must be 1ms or longer.",
					"Set lifecycle.warmup.settle-window to how far back the JIT's compilation time is compared, such as 3s."));
		}
		else if (window.compareTo(settings.getTimeout()) >= 0) {
			problems.add(new Problem("lifecycle.warmup.settle-window (" + window
					+ ") is not shorter than lifecycle.warmup.timeout (" + settings.getTimeout()
					+ "); the JIT could never be seen to settle before the budget ran out.",
					"Shorten lifecycle.warmup.settle-window (such as 3s), or lengthen lifecycle.warmup.timeout."));
		}
		if (threshold.toMillis() < 1) {
			problems.add(new Problem(
					"lifecycle.warmup.settle-threshold (" + threshold + ") must be 1ms or more: "
							+ "the JVM reports compilation time in whole milliseconds.",
					"Set lifecycle.warmup.settle-threshold to the compilation time per window that counts as settled, such as 300ms."));
		}
	}

}
