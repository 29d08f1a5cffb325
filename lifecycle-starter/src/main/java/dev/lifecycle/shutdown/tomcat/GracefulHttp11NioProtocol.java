package dev.lifecycle.shutdown.tomcat;

import org.apache.coyote.UpgradeProtocol;
import org.apache.coyote.http11.Http11NioProtocol;

/**
 * Tomcat's default HTTP/1.1 protocol on a {@link GracefulNioEndpoint}, whose keep-alive
 * can end for every request but upgrades. Tomcat creates the protocol from its class
 * name, hence a class of its own.
 */
public class GracefulHttp11NioProtocol extends Http11NioProtocol {

	// Set on the thread reading a request that asks for an upgrade the application makes
	// (WebSocket), between Tomcat's look-up of an upgrade protocol and its keep-alive count.
	private static final ThreadLocal<Boolean> APPLICATION_UPGRADE = ThreadLocal.withInitial(() -> false);

	private volatile boolean keepAliveEnded;

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

	@Override
	public UpgradeProtocol getUpgradeProtocol(String upgradedName) {
		UpgradeProtocol upgradeProtocol = super.getUpgradeProtocol(upgradedName);
		if (upgradeProtocol == null && this.keepAliveEnded) {
			APPLICATION_UPGRADE.set(true);
		}
		return upgradeProtocol;
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
