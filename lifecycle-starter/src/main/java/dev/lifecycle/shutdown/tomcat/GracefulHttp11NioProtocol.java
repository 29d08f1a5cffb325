package dev.lifecycle.shutdown.tomcat;

import org.apache.coyote.http11.Http11NioProtocol;

/**
 * Tomcat's default HTTP/1.1 protocol on a {@link GracefulNioEndpoint}. Tomcat creates the
 * protocol from its class name, hence a class of its own.
 */
public class GracefulHttp11NioProtocol extends Http11NioProtocol {

	/** Creates the protocol on a new {@link GracefulNioEndpoint}. */
	public GracefulHttp11NioProtocol() {
		super(new GracefulNioEndpoint());
	}

	/** {@return the protocol's endpoint} */
	public GracefulNioEndpoint endpoint() {
		return (GracefulNioEndpoint) getEndpoint();
	}

}
