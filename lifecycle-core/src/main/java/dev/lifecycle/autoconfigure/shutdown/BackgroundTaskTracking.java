package dev.lifecycle.autoconfigure.shutdown;

import java.lang.reflect.Field;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.util.ReflectionUtils;

import dev.lifecycle.shutdown.BackgroundTasks;

/**
 * Puts every task executor and scheduler bean under the shutdown's eye: Boot's
 * {@code applicationTaskExecutor} and {@code taskScheduler}, and the application's own
 * {@link ThreadPoolTaskExecutor}, {@link ThreadPoolTaskScheduler},
 * {@link SimpleAsyncTaskExecutor} and {@code SimpleAsyncTaskScheduler} beans, virtual
 * threads included. Each gets a decorator that records its runs, around the decorator it
 * already had (Boot's composite of the application's {@link TaskDecorator} beans, or one
 * set in code). Spring offers no getter for that decorator, so it is read from its field.
 */
final class BackgroundTaskTracking implements BeanPostProcessor {

	private static final Log logger = LogFactory.getLog(BackgroundTaskTracking.class);

	static final String DECORATOR_FIELD = "taskDecorator";

	static final Class<?>[] TRACKED_TYPES = { ThreadPoolTaskExecutor.class, ThreadPoolTaskScheduler.class,
			SimpleAsyncTaskExecutor.class };

	private final ObjectProvider<BackgroundTasks> tasks;

	BackgroundTaskTracking(ObjectProvider<BackgroundTasks> tasks) {
		this.tasks = tasks;
	}

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) {
		if (isTracked(bean)) {
			Field field = ReflectionUtils.findField(bean.getClass(), DECORATOR_FIELD, TaskDecorator.class);
			if (field == null) {
				logger.warn("Cannot see the tasks of '" + beanName + "' (" + bean.getClass().getName()
						+ "): it has no task decorator field; the shutdown will not wait for them");
				return bean;
			}
			ReflectionUtils.makeAccessible(field);
			TaskDecorator existing = (TaskDecorator) ReflectionUtils.getField(field, bean);
			setDecorator(bean, this.tasks.getObject().decorator(beanName, bean, existing));
		}
		return bean;
	}

	private static boolean isTracked(Object bean) {
		for (Class<?> type : TRACKED_TYPES) {
			if (type.isInstance(bean)) {
				return true;
			}
		}
		return false;
	}

	private static void setDecorator(Object bean, TaskDecorator decorator) {
		if (bean instanceof ThreadPoolTaskExecutor executor) {
			executor.setTaskDecorator(decorator);
		}
		else if (bean instanceof ThreadPoolTaskScheduler scheduler) {
			scheduler.setTaskDecorator(decorator);
		}
		else if (bean instanceof SimpleAsyncTaskExecutor executor) {
			executor.setTaskDecorator(decorator);
		}
	}

	/** The decorator fields, read by reflection in a native image too. */
	static final class Hints implements RuntimeHintsRegistrar {

		@Override
		public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
			for (Class<?> type : TRACKED_TYPES) {
				Field field = ReflectionUtils.findField(type, DECORATOR_FIELD, TaskDecorator.class);
				if (field != null) {
					hints.reflection().registerField(field);
				}
			}
		}

	}

}
