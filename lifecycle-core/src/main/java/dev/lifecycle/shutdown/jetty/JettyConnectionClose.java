package dev.lifecycle.shutdown.jetty;

import java.nio.ByteBuffer;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

import dev.lifecycle.shutdown.ShutdownCoordinator;

/**
 * Asks Jetty's HTTP/1.x clients to reconnect elsewhere once shutdown has begun: each
 * response that commits from then on carries {@code Connection: close}, and keeps its
 * framing. Jetty delimits a body of unknown length on a connection that closes by closing
 * it, which a client cannot tell from a cut, unless the response hints at chunking: a
 * streamed response gets {@code Transfer-Encoding: chunked}, which Jetty then uses.
 * Decided when the response commits, so a request that arrived before shutdown and
 * answers during the delay closes its connection too. HTTP/2 connections are left to
 * Jetty's own GOAWAY at the drain.
 */
public final class JettyConnectionClose extends Handler.Wrapper {

	private final ShutdownCoordinator coordinator;

	/**
	 * Creates the handler.
	 *
	 * @param coordinator decides when responses close their connection
	 */
	public JettyConnectionClose(ShutdownCoordinator coordinator) {
		this.coordinator = coordinator;
	}

	/**
	 * Wraps the server's handler, so that every response passes here.
	 *
	 * @param server the server being configured
	 * @param coordinator the shutdown sequence, which says when connections must close
	 */
	public static void install(Server server, ShutdownCoordinator coordinator) {
		JettyConnectionClose connectionClose = new JettyConnectionClose(coordinator);
		connectionClose.setHandler(server.getHandler());
		server.setHandler(connectionClose);
	}

	@Override
	public boolean handle(Request request, Response response, Callback callback) throws Exception {
		HttpVersion version = request.getConnectionMetaData().getHttpVersion();
		if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
			return super.handle(request, response, callback);
		}
		return super.handle(request, new ClosingResponse(request, response, version == HttpVersion.HTTP_1_1),
				callback);
	}

	private final class ClosingResponse extends Response.Wrapper {

		private final boolean http11;

		ClosingResponse(Request request, Response wrapped, boolean http11) {
			super(request, wrapped);
			this.http11 = http11;
		}

		@Override
		public void write(boolean last, ByteBuffer content, Callback callback) {
			if (!isCommitted() && JettyConnectionClose.this.coordinator.closesConnections()) {
				closeAfterThisResponse(last);
			}
			super.write(last, content, callback);
		}

		private void closeAfterThisResponse(boolean last) {
			HttpFields.Mutable headers = getHeaders();
			// An upgrade (WebSocket) keeps its connection: the session ends at the drain.
			if (getStatus() == HttpStatus.SWITCHING_PROTOCOLS_101
					|| headers.contains(HttpHeader.CONNECTION, HttpHeaderValue.UPGRADE.asString())) {
				return;
			}
			headers.ensureField(HttpFields.CONNECTION_CLOSE);
			// Not the last write and no length: a body of unknown length, chunked as without the close.
			if (this.http11 && !last && !headers.contains(HttpHeader.CONTENT_LENGTH)
					&& !headers.contains(HttpHeader.TRANSFER_ENCODING)) {
				headers.put(HttpHeader.TRANSFER_ENCODING, HttpHeaderValue.CHUNKED);
			}
		}

	}

}
