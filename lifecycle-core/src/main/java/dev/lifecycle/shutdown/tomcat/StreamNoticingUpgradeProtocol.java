package dev.lifecycle.shutdown.tomcat;

import java.util.function.Consumer;

import org.apache.coyote.Adapter;
import org.apache.coyote.Processor;
import org.apache.coyote.Request;
import org.apache.coyote.Response;
import org.apache.coyote.UpgradeProtocol;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.coyote.http11.upgrade.InternalHttpUpgradeHandler;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Tomcat's HTTP/2 (or another upgrade protocol), unchanged but for one thing: the
 * connections it serves report their first stream, through the adapter each connection
 * hands its streams to. A graceful GOAWAY sent before a connection's first stream makes
 * Tomcat refuse that stream after one round trip; sent after it, the stream is served.
 */
final class StreamNoticingUpgradeProtocol implements UpgradeProtocol {

	private final UpgradeProtocol delegate;

	private final Consumer<SocketWrapperBase<?>> firstStream;

	StreamNoticingUpgradeProtocol(UpgradeProtocol delegate, Consumer<SocketWrapperBase<?>> firstStream) {
		this.delegate = delegate;
		this.firstStream = firstStream;
	}

	@Override
	public String getHttpUpgradeName(boolean isSSLEnabled) {
		return this.delegate.getHttpUpgradeName(isSSLEnabled);
	}

	@Override
	public byte[] getAlpnIdentifier() {
		return this.delegate.getAlpnIdentifier();
	}

	@Override
	public String getAlpnName() {
		return this.delegate.getAlpnName();
	}

	@Override
	public Processor getProcessor(SocketWrapperBase<?> socketWrapper, Adapter adapter) {
		return this.delegate.getProcessor(socketWrapper, new FirstStreamAdapter(adapter, socketWrapper));
	}

	@Override
	public InternalHttpUpgradeHandler getInternalUpgradeHandler(SocketWrapperBase<?> socketWrapper, Adapter adapter,
			Request request) {
		return this.delegate.getInternalUpgradeHandler(socketWrapper, new FirstStreamAdapter(adapter, socketWrapper),
				request);
	}

	@Override
	public boolean accept(Request request) {
		return this.delegate.accept(request);
	}

	@Override
	public void setHttp11Protocol(AbstractHttp11Protocol<?> protocol) {
		this.delegate.setHttp11Protocol(protocol);
	}

	/** The adapter of one connection, which reports the first stream it serves. */
	private final class FirstStreamAdapter implements Adapter {

		private final Adapter adapter;

		private final SocketWrapperBase<?> connection;

		private volatile boolean streamSeen;

		FirstStreamAdapter(Adapter adapter, SocketWrapperBase<?> connection) {
			this.adapter = adapter;
			this.connection = connection;
		}

		@Override
		public void service(Request request, Response response) throws Exception {
			if (!this.streamSeen) {
				this.streamSeen = true;
				StreamNoticingUpgradeProtocol.this.firstStream.accept(this.connection);
			}
			this.adapter.service(request, response);
		}

		@Override
		public boolean prepare(Request request, Response response) throws Exception {
			return this.adapter.prepare(request, response);
		}

		@Override
		public boolean asyncDispatch(Request request, Response response, SocketEvent status) throws Exception {
			return this.adapter.asyncDispatch(request, response, status);
		}

		@Override
		public void log(Request request, Response response, long time) {
			this.adapter.log(request, response, time);
		}

		@Override
		public void checkRecycled(Request request, Response response) {
			this.adapter.checkRecycled(request, response);
		}

		@Override
		public String getDomain() {
			return this.adapter.getDomain();
		}

	}

}
