package dev.lifecycle.shutdown;

import java.util.List;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Names background tasks as an operator knows them: the application's class and method,
 * {@code Jobs.nightlyExport}, not the executor's wrappers around it.
 */
final class TaskNames {

	/** Code that runs tasks rather than being one: executors, proxies, reflection. */
	private static final List<String> FRAMEWORK_PACKAGES = List.of("java.", "javax.", "jakarta.", "jdk.", "sun.",
			"com.sun.", "kotlin.", "kotlinx.", "io.micrometer.", "reactor.", "dev.lifecycle.shutdown.",
			"org.springframework.");

	/** Spring's own samples (PetClinic) live under its package and are applications. */
	private static final String SPRING_SAMPLES = "org.springframework.samples.";

	/** What {@code ScheduledMethodRunnable} says of itself: the class's and the method's name. */
	private static final Pattern QUALIFIED_METHOD = Pattern.compile("[\\w$]+(\\.[\\w$]+)+");

	private TaskNames() {
	}

	/**
	 * {@return the task's own method: the outermost frame of application code, or
	 * {@code null} if the stack holds none (an idle pool thread)}
	 *
	 * @param stack a thread's stack, innermost frame first
	 */
	static @Nullable String entryPoint(StackTraceElement[] stack) {
		for (int i = stack.length - 1; i >= 0; i--) {
			StackTraceElement frame = stack[i];
			if (!isFramework(frame.getClassName())) {
				return simpleName(frame.getClassName()) + "." + methodName(frame.getMethodName());
			}
		}
		return null;
	}

	/**
	 * {@return a scheduled job's name, {@code Jobs.nightlyExport}}
	 *
	 * @param description what the job's runnable says of itself; for {@code @Scheduled}
	 * methods its class's qualified name and the method's
	 */
	static String ofScheduledTask(String description) {
		if (!QUALIFIED_METHOD.matcher(description).matches()) {
			return description;
		}
		int method = description.lastIndexOf('.');
		return simpleName(description.substring(0, method)) + description.substring(method);
	}

	private static boolean isFramework(String className) {
		if (className.contains("$$")) {
			return true; // CGLIB proxies and their fast classes
		}
		if (className.startsWith(SPRING_SAMPLES)) {
			return false;
		}
		return FRAMEWORK_PACKAGES.stream().anyMatch(className::startsWith);
	}

	private static String simpleName(String className) {
		return className.substring(className.lastIndexOf('.') + 1).replace('$', '.');
	}

	/** {@code lambda$submit$0}, the body of a lambda written in {@code submit}, is {@code submit}. */
	private static String methodName(String method) {
		if (method.startsWith("lambda$")) {
			int end = method.indexOf('$', "lambda$".length());
			return (end > 0) ? method.substring("lambda$".length(), end) : method;
		}
		return method;
	}

}
