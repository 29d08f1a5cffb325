package dev.lifecycle.sample.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A throwaway self-signed certificate in a PKCS12 key store, made with the JDK's keytool,
 * for servers that tests start with {@code server.ssl}.
 */
public final class SelfSignedKeyStore {

	/** The key store's password. */
	public static final String PASSWORD = "changeit";

	private SelfSignedKeyStore() {
	}

	/**
	 * Makes the key store.
	 *
	 * @param directory where to write it
	 * @param commonName the certificate's CN, such as {@code 127.0.0.1}
	 * @return the key store file, protected by {@link #PASSWORD}
	 * @throws IOException when keytool cannot be run
	 * @throws InterruptedException when interrupted while keytool runs
	 */
	public static Path create(Path directory, String commonName) throws IOException, InterruptedException {
		Path keyStore = directory.resolve("server.p12");
		Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
		Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC",
				"-dname", "CN=" + commonName, "-validity", "2", "-storetype", "PKCS12", "-keystore",
				keyStore.toString(), "-storepass", PASSWORD)
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(Files.exists(keyStore)).as("keytool made a key store: %s", output).isTrue();
		return keyStore;
	}

}
