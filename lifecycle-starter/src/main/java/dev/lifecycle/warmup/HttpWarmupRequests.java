package dev.lifecycle.warmup;

import java.net.URI;
import java.util.function.IntSupplier;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpMethod;
import org.springframework.web.client.RestClient;

/**
 * Sends warm-up requests through the application's real port on the loopback interface,
 * so the connector, filters, converters and handlers all warm. Each carries
 * {@value #HEADER} so users can keep warm-up traffic out of their own metrics and logs.
 */
public final class HttpWarmupRequests implements Warmup.WarmupRequests {

	/** Marks a request as warm-up traffic. */
	public static final String HEADER = "X-Lifecycle-Warmup";

	private final IntSupplier port;

	// Built on first use, in the warm-up phase: start-up does not pay for its converters.
	private volatile @Nullable RestClient client;

	/**
	 * Creates the sender of warm-up requests to the application itself.
	 *
	 * @param port the application's port, known once the web server started
	 */
	public HttpWarmupRequests(IntSupplier port) {
		this.port = port;
	}

	/**
	 * @param target a path ({@code /hello}) or a method and a path ({@code HEAD /hello})
	 */
	@Override
	public boolean send(String target) {
		int space = target.indexOf(' ');
		HttpMethod method = (space > 0) ? HttpMethod.valueOf(target.substring(0, space)) : HttpMethod.GET;
		String path = (space > 0) ? target.substring(space + 1) : target;
		return client().method(method)
			.uri(URI.create("http://127.0.0.1:" + this.port.getAsInt() + path))
			.header(HEADER, "true")
			.exchange((request, response) -> {
				response.getBody().readAllBytes();
				return response.getStatusCode().is2xxSuccessful();
			});
	}

	private RestClient client() {
		RestClient client = this.client;
		if (client == null) {
			synchronized (this) {
				client = this.client;
				if (client == null) {
					client = RestClient.create();
					this.client = client;
				}
			}
		}
		return client;
	}

}
