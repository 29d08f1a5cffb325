package dev.lifecycle.warmup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Collections;
import java.util.function.IntSupplier;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import org.jspecify.annotations.Nullable;

/**
 * Sends warm-up requests through the application's real port on the loopback interface,
 * so the connector, filters, converters and handlers all warm. Each carries
 * {@value #HEADER} so users can keep warm-up traffic out of their own metrics and logs.
 * <p>
 * The JDK's synchronous {@link HttpURLConnection}, with its keep-alive cache, is the
 * client: the warm-up shares the CPU and the JIT with the application, so its own client
 * should cost as little of both as it can. A heavier client (RestClient over the JDK's
 * asynchronous HttpClient) sent under a third of the requests in the same time and kept
 * the JIT busy compiling code the application never runs.
 */
public final class HttpWarmupRequests implements Warmup.WarmupRequests {

	/** Marks a request as warm-up traffic. */
	public static final String HEADER = "X-Lifecycle-Warmup";

	// A warm-up request that hangs must not hold a worker past the warm-up's budget for long.
	private static final int TIMEOUT_MILLIS = (int) Duration.ofSeconds(10).toMillis();

	private final IntSupplier port;

	private final @Nullable SSLSocketFactory tls;

	/**
	 * Creates the sender of warm-up requests to the application itself, over plain HTTP.
	 *
	 * @param port the application's port, known once the web server started
	 */
	public HttpWarmupRequests(IntSupplier port) {
		this(port, null);
	}

	/**
	 * Creates the sender of warm-up requests to the application itself.
	 *
	 * @param port the application's port, known once the web server started
	 * @param tls when the port serves HTTPS, the sockets to reach it with (see
	 * {@link #trustingOnly(KeyStore)}); {@code null} for plain HTTP
	 */
	public HttpWarmupRequests(IntSupplier port, @Nullable SSLSocketFactory tls) {
		this.port = port;
		this.tls = tls;
	}

	/**
	 * TLS sockets that trust the certificates of the server's own key store and nothing
	 * else: the warm-up talks to this very process, whose certificate is rarely signed by
	 * a CA the JVM trusts, nor issued for 127.0.0.1.
	 *
	 * @param serverKeyStore the key store the web server presents its certificate from
	 * @return sockets for {@link #HttpWarmupRequests(IntSupplier, SSLSocketFactory)}
	 * @throws GeneralSecurityException when the key store cannot be read
	 * @throws IOException when the key store cannot be read
	 */
	public static SSLSocketFactory trustingOnly(KeyStore serverKeyStore) throws GeneralSecurityException, IOException {
		KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
		trusted.load(null, null);
		int count = 0;
		for (String alias : Collections.list(serverKeyStore.aliases())) {
			Certificate[] chain = serverKeyStore.getCertificateChain(alias);
			Certificate[] certificates = (chain != null) ? chain
					: new Certificate[] { serverKeyStore.getCertificate(alias) };
			for (Certificate certificate : certificates) {
				if (certificate != null) {
					trusted.setCertificateEntry("server-" + count++, certificate);
				}
			}
		}
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(trusted);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, trust.getTrustManagers(), null);
		return context.getSocketFactory();
	}

	/**
	 * @param target a path ({@code /hello}) or a method and a path ({@code HEAD /hello})
	 */
	@Override
	public boolean send(String target) throws IOException {
		int space = target.indexOf(' ');
		String method = (space > 0) ? target.substring(0, space) : "GET";
		String path = (space > 0) ? target.substring(space + 1) : target;
		// No proxy: the request is for this very process, whatever proxies the JVM is told of.
		String scheme = (this.tls != null) ? "https" : "http";
		HttpURLConnection connection = (HttpURLConnection) URI
			.create(scheme + "://127.0.0.1:" + this.port.getAsInt() + path)
			.toURL()
			.openConnection(Proxy.NO_PROXY);
		if (this.tls != null && connection instanceof HttpsURLConnection https) {
			https.setSSLSocketFactory(this.tls);
			// Only the server's own certificates are trusted, whatever name they were issued for.
			https.setHostnameVerifier((host, session) -> true);
		}
		connection.setRequestMethod(method);
		connection.setRequestProperty(HEADER, "true");
		// What most clients send, rather than the JDK's own "text/html, image/gif, ..." default.
		connection.setRequestProperty("Accept", "*/*");
		connection.setConnectTimeout(TIMEOUT_MILLIS);
		connection.setReadTimeout(TIMEOUT_MILLIS);
		connection.setUseCaches(false);
		int status = connection.getResponseCode();
		// Read to the end, so that the connection goes back to the keep-alive cache.
		try (InputStream body = (status < 400) ? connection.getInputStream() : connection.getErrorStream()) {
			if (body != null) {
				body.transferTo(OutputStream.nullOutputStream());
			}
		}
		return status >= 200 && status < 300;
	}

}
