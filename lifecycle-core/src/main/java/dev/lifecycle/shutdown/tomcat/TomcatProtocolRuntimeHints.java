package dev.lifecycle.shutdown.tomcat;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * Tomcat creates its protocol handler from the class name Boot gives it, by reflection: a
 * native image must keep the constructor of the starter's protocol.
 */
public final class TomcatProtocolRuntimeHints implements RuntimeHintsRegistrar {

	/** Created by Spring's AOT processing, named by {@code @ImportRuntimeHints}. */
	public TomcatProtocolRuntimeHints() {
	}

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.reflection()
			.registerType(GracefulHttp11NioProtocol.class, MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS);
	}

}
