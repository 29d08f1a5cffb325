package dev.lifecycle.compat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter's classes are compiled once, against Boot 4, and run on every Boot line this
 * test runs on. A Spring interface whose abstract methods differ between the lines (Spring
 * Framework 6's {@code HandlerAdapter.getLastModified}) links, and fails only when called,
 * with an {@code AbstractMethodError}: here every concrete class is checked against the
 * interfaces and superclasses of the line on the class path.
 */
class BootLineLinkageTests {

	@Test
	void everyConcreteClassImplementsEveryAbstractMethodOfThisBootLine() throws Exception {
		List<String> unimplemented = new ArrayList<>();
		List<String> checked = new ArrayList<>();
		ClassLoader classLoader = getClass().getClassLoader();
		for (Resource resource : new PathMatchingResourcePatternResolver(classLoader)
			.getResources("classpath*:dev/lifecycle/**/*.class")) {
			String path = resource.getURL().toString();
			if (path.contains("/test-classes/") || path.contains("sample-support")) {
				continue;
			}
			String name = path.substring(path.lastIndexOf("dev/lifecycle/"), path.length() - ".class".length())
				.replace('/', '.');
			Class<?> type;
			Method[] methods;
			try {
				type = ClassUtils.forName(name, classLoader);
				methods = type.getMethods();
			}
			catch (NoClassDefFoundError ex) {
				// For what this test's class path leaves out (gRPC on Boot 3, Jetty): the
				// compatibility rows run those.
				continue;
			}
			if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
				continue;
			}
			checked.add(name);
			Arrays.stream(methods)
				.filter((method) -> Modifier.isAbstract(method.getModifiers()))
				.map((method) -> name + " lacks " + describe(method))
				.forEach(unimplemented::add);
		}
		assertThat(checked).as("the starter's classes were found").hasSizeGreaterThan(50);
		assertThat(unimplemented).isEmpty();
	}

	private static String describe(Method method) {
		return method.getDeclaringClass().getName() + "." + method.getName()
				+ Arrays.toString(method.getParameterTypes());
	}

}
