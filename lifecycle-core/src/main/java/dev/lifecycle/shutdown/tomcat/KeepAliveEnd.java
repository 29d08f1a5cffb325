package dev.lifecycle.shutdown.tomcat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.coyote.http11.AbstractHttp11Protocol;

/**
 * Ends HTTP/1.x keep-alive on Tomcat's connectors once shutdown begins, through Tomcat's
 * own keep-alive accounting: with a keep-alive limit of 1, which Tomcat reads for each
 * request it parses, every request from then on is the last of its connection. Tomcat
 * answers it with {@code Connection: close} and still frames the body, chunked or with a
 * {@code Content-Length}, then closes the connection. A {@code Connection: close} header
 * set by the application would instead make Tomcat delimit a body of unknown length by
 * closing the connection, which a client cannot tell from a cut. On the starter's
 * {@link GracefulHttp11NioProtocol} WebSocket handshakes keep their connection; on another
 * protocol the limit itself drops to 1, and their {@code 101} carries
 * {@code Connection: close} too.
 */
public final class KeepAliveEnd implements Runnable {

	private final List<AbstractHttp11Protocol<?>> protocols = new CopyOnWriteArrayList<>();

	/** Creates the step, with no connector yet. */
	public KeepAliveEnd() {
	}

	/**
	 * Adds the HTTP/1.1 protocol of a connector of the application's web server.
	 *
	 * @param protocol the protocol handler
	 */
	public void register(AbstractHttp11Protocol<?> protocol) {
		this.protocols.add(protocol);
	}

	/** Makes each request parsed from now on the last of its connection. */
	@Override
	public void run() {
		for (AbstractHttp11Protocol<?> protocol : this.protocols) {
			if (protocol instanceof GracefulHttp11NioProtocol graceful) {
				graceful.endKeepAlive();
			}
			else {
				protocol.setMaxKeepAliveRequests(1);
			}
		}
	}

}
