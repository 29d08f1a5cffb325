package dev.lifecycle.shutdown.tomcat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.coyote.UpgradeProtocol;
import org.apache.coyote.http11.Http11NioProtocol;

/**
 * Tomcat's default HTTP/1.1 protocol on a {@link GracefulNioEndpoint}, whose keep-alive
 * can end for every request but upgrades, and whose HTTP/2 connections tell the endpoint
 * when they serve their first stream. Tomcat creates the protocol from its class name,
 * hence a class of its own.
 */
public class GracefulHttp11NioProtocol extends Http11NioProtocol {

	// Set on the thread reading a request that asks for an upgrade the application makes
	// (WebSocket), between Tomcat's look-up of an upgrade protocol and its keep-alive count.
	private static final ThreadLocal<Boolean> APPLICATION_UPGRADE = ThreadLocal.withInitial(() -> false);

	private static final String H2C = "h2c";

	private volatile boolean keepAliveEnded;

	private final Map<UpgradeProtocol, UpgradeProtocol> noticingProtocols = new ConcurrentHashMap<>();

	/** Creates the protocol on a new {@link GracefulNioEndpoint}. */
	public GracefulHttp11NioProtocol() {
		super(new GracefulNioEndpoint());
	}

	/** {@return the protocol's endpoint} */
	public GracefulNioEndpoint endpoint() {
		return (GracefulNioEndpoint) getEndpoint();
	}

	/**
	 * Makes each request read from now on the last of its connection, except a request for
	 * an upgrade: Tomcat would answer its {@code 101} with {@code Connection: close} as well,
	 * which WebSocket clients such as the JDK's reject.
	 */
	public void endKeepAlive() {
		this.keepAliveEnded = true;
	}

	/** Tomcat's look-up of an upgrade through HTTP/1.1 (h2c, by header or prior knowledge). */
	@Override
	public UpgradeProtocol getUpgradeProtocol(String upgradedName) {
		UpgradeProtocol upgradeProtocol = super.getUpgradeProtocol(upgradedName);
		if (upgradeProtocol == null) {
			// h2c without HTTP/2 on: Tomcat answers in HTTP/1.1 (the JDK's client asks for it on every request).
			if (this.keepAliveEnded && !H2C.equalsIgnoreCase(upgradedName)) {
				APPLICATION_UPGRADE.set(true);
			}
			return null;
		}
		return noticingStreams(upgradeProtocol);
	}

	/** Tomcat's look-up of the protocol a TLS connection negotiated through ALPN (h2). */
	@Override
	public UpgradeProtocol getNegotiatedProtocol(String negotiatedName) {
		UpgradeProtocol upgradeProtocol = super.getNegotiatedProtocol(negotiatedName);
		return (upgradeProtocol != null) ? noticingStreams(upgradeProtocol) : null;
	}

	private UpgradeProtocol noticingStreams(UpgradeProtocol upgradeProtocol) {
		return this.noticingProtocols.computeIfAbsent(upgradeProtocol,
				(protocol) -> new StreamNoticingUpgradeProtocol(protocol, endpoint()::firstStreamServed));
	}

	/** Read by Tomcat for each request, once its headers are parsed. */
	@Override
	public int getMaxKeepAliveRequests() {
		if (this.keepAliveEnded) {
			boolean upgrade = APPLICATION_UPGRADE.get();
			APPLICATION_UPGRADE.remove();
			if (!upgrade) {
				return 1;
			}
		}
		return super.getMaxKeepAliveRequests();
	}

}
