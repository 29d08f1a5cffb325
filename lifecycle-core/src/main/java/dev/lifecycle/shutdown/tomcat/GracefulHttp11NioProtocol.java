package dev.lifecycle.shutdown.tomcat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.coyote.UpgradeProtocol;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.coyote.http2.Http2Protocol;

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

	private static final long HTTP2_DRAIN_TIMEOUT_MILLIS = 1000;

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

	/**
	 * Adds an upgrade protocol, Boot's HTTP/2 for one. HTTP/2 gets a drain timeout of
	 * {@value #HTTP2_DRAIN_TIMEOUT_MILLIS} ms unless one is set: Tomcat refuses the streams
	 * it reads later than one measured round trip after a connection's first GOAWAY, plus
	 * that timeout. Without it, a stream a client sent together with its first (before any
	 * GOAWAY) was refused when Tomcat, under CPU load, read it a little late.
	 */
	@Override
	public void addUpgradeProtocol(UpgradeProtocol upgradeProtocol) {
		if (upgradeProtocol instanceof Http2Protocol http2 && http2.getDrainTimeout() == 0) {
			// Tomcat adds it to System.nanoTime() values as it is.
			http2.setDrainTimeout(TimeUnit.MILLISECONDS.toNanos(HTTP2_DRAIN_TIMEOUT_MILLIS));
		}
		super.addUpgradeProtocol(upgradeProtocol);
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
