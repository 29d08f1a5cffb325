package dev.lifecycle.sample.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * An HTTP/2 client connection, cleartext with prior knowledge (h2c) or over TLS (ALPN
 * {@code h2}), that shows the frames a client library hides: the GOAWAY frames the server
 * sends and when they arrive. It sends
 * GET requests with a minimal HPACK encoding (no Huffman coding, no dynamic table) and
 * reads the {@code :status} of responses that Tomcat and Netty encode as a static-table
 * index. As a client library does, it opens no stream once a GOAWAY has arrived.
 */
public final class Http2Connection implements AutoCloseable {

	private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

	private static final int DATA = 0x0;

	private static final int HEADERS = 0x1;

	private static final int RST_STREAM = 0x3;

	private static final int SETTINGS = 0x4;

	private static final int PING = 0x6;

	private static final int GOAWAY = 0x7;

	private static final int END_STREAM = 0x1;

	private static final int ACK = 0x1;

	private static final int END_HEADERS = 0x4;

	private static final int PADDED = 0x8;

	private static final int PRIORITY = 0x20;

	private final Socket socket;

	private final String authority;

	private final int scheme;

	private final Map<Integer, Response> responses = new ConcurrentHashMap<>();

	private final BlockingQueue<GoAway> goAways = new LinkedBlockingQueue<>();

	private final CompletableFuture<Void> closed = new CompletableFuture<>();

	private int nextStreamId = 1;

	// Set by the reader before it answers the frames after a GOAWAY (its PING, say).
	private boolean goAwayReceived;

	private Http2Connection(Socket socket, String authority, int scheme) {
		this.socket = socket;
		this.authority = authority;
		this.scheme = scheme;
	}

	/** Opens an h2c connection to a sample's main port and starts reading its frames. */
	public static Http2Connection open(SampleProcess app) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", app.port()), 5_000);
		return start(new Http2Connection(socket, "127.0.0.1:" + app.port(), 0x86)); // :scheme http
	}

	/**
	 * Opens an HTTP/2 connection over TLS to a sample's main port, trusting any
	 * certificate (a test's self-signed one), and starts reading its frames.
	 */
	public static Http2Connection openTls(SampleProcess app) throws IOException, GeneralSecurityException {
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, new TrustManager[] { new TrustingAnyCertificate() }, null);
		SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
		socket.connect(new InetSocketAddress("127.0.0.1", app.port()), 5_000);
		SSLParameters parameters = socket.getSSLParameters();
		parameters.setApplicationProtocols(new String[] { "h2" });
		socket.setSSLParameters(parameters);
		socket.startHandshake();
		if (!"h2".equals(socket.getApplicationProtocol())) {
			socket.close();
			throw new IOException("The server did not choose h2 over ALPN: " + socket.getApplicationProtocol());
		}
		return start(new Http2Connection(socket, "127.0.0.1:" + app.port(), 0x87)); // :scheme https
	}

	private static Http2Connection start(Http2Connection connection) throws IOException {
		Socket socket = connection.socket;
		synchronized (connection) {
			OutputStream out = socket.getOutputStream();
			out.write(PREFACE);
			connection.writeFrame(SETTINGS, 0, 0, new byte[0]);
		}
		Thread reader = new Thread(connection::readFrames, "http2-reader");
		reader.setDaemon(true);
		reader.start();
		return connection;
	}

	/** Sends a GET on a new stream; the response completes when its last frame arrives. */
	public CompletableFuture<Response> get(String path) throws IOException {
		return getAll(path).get(0);
	}

	/**
	 * Sends GETs on new streams together, with no frame of this client between them, as a
	 * client sends the requests it had queued for a connection; each response completes
	 * when its last frame arrives. Once the server sent a GOAWAY, each fails at once
	 * instead: a client opens no new stream on that connection (the server acknowledges
	 * none it gets after the PING that follows its GOAWAY).
	 */
	public synchronized List<CompletableFuture<Response>> getAll(String... paths) throws IOException {
		List<CompletableFuture<Response>> responses = new ArrayList<>();
		for (String path : paths) {
			if (this.goAwayReceived) {
				responses.add(CompletableFuture.failedFuture(
						new IOException("Not sent: the server sent a GOAWAY on this connection before " + path)));
				continue;
			}
			int streamId = this.nextStreamId;
			this.nextStreamId += 2;
			Response response = new Response(streamId);
			this.responses.put(streamId, response);
			ByteArrayOutputStream block = new ByteArrayOutputStream();
			block.write(0x82); // :method GET
			block.write(this.scheme);
			literal(block, 0x04, path); // :path, name from the static table
			literal(block, 0x01, this.authority); // :authority
			writeFrame(HEADERS, END_STREAM | END_HEADERS, streamId, block.toByteArray());
			responses.add(response.complete);
		}
		return responses;
	}

	/** The next GOAWAY the server sends, within the timeout, or {@code null}. */
	public GoAway awaitGoAway(Duration timeout) throws InterruptedException {
		return this.goAways.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** Completes when the server closes the connection. */
	public CompletableFuture<Void> closed() {
		return this.closed;
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
		byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
		if (bytes.length > 126) {
			throw new IllegalArgumentException("Header value too long for this client: " + value);
		}
		block.write(nameIndex); // literal header field without indexing, indexed name
		block.write(bytes.length);
		block.writeBytes(bytes);
	}

	private synchronized void writeFrame(int type, int flags, int streamId, byte[] payload) throws IOException {
		ByteBuffer header = ByteBuffer.allocate(9);
		header.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length);
		header.put((byte) type).put((byte) flags).putInt(streamId);
		OutputStream out = this.socket.getOutputStream();
		out.write(header.array());
		out.write(payload);
		out.flush();
	}

	private void readFrames() {
		try (DataInputStream in = new DataInputStream(this.socket.getInputStream())) {
			while (true) {
				int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
				int type = in.readUnsignedByte();
				int flags = in.readUnsignedByte();
				int streamId = in.readInt() & 0x7fffffff;
				byte[] payload = in.readNBytes(length);
				long arrived = System.nanoTime();
				switch (type) {
					case SETTINGS -> {
						if ((flags & ACK) == 0) {
							writeFrame(SETTINGS, ACK, 0, new byte[0]);
						}
					}
					case PING -> {
						if ((flags & ACK) == 0) {
							writeFrame(PING, ACK, 0, payload);
						}
					}
					case GOAWAY -> {
						synchronized (this) {
							this.goAwayReceived = true;
						}
						ByteBuffer goAway = ByteBuffer.wrap(payload);
						this.goAways.add(new GoAway(goAway.getInt() & 0x7fffffff, goAway.getInt(), arrived));
					}
					case HEADERS, DATA, RST_STREAM -> {
						Response response = this.responses.get(streamId);
						if (response != null) {
							response.frame(type, flags, payload);
						}
					}
					default -> {
						// WINDOW_UPDATE, PRIORITY: nothing this client needs.
					}
				}
			}
		}
		catch (IOException ex) {
			this.closed.complete(null);
			this.responses.values().forEach((response) -> response.complete.completeExceptionally(ex));
		}
	}

	/**
	 * A GOAWAY frame.
	 * @param lastStreamId the last stream the server will serve; 2^31-1 announces a
	 * graceful shutdown in which every stream already open is served
	 * @param errorCode 0 (NO_ERROR) for a graceful one
	 * @param nanos when it arrived, on {@link System#nanoTime()}
	 */
	public record GoAway(int lastStreamId, int errorCode, long nanos) {

		/** The last stream id of the first GOAWAY of a graceful shutdown. */
		public static final int MAX_STREAM_ID = Integer.MAX_VALUE;

	}

	/** The response on one stream. */
	public static final class Response {

		private final int streamId;

		private final CompletableFuture<Response> complete = new CompletableFuture<>();

		private final ByteArrayOutputStream body = new ByteArrayOutputStream();

		private volatile int status = -1;

		private Response(int streamId) {
			this.streamId = streamId;
		}

		public int streamId() {
			return this.streamId;
		}

		/** The {@code :status}, when the server sent it as a static-table index; otherwise -1. */
		public int status() {
			return this.status;
		}

		public String body() {
			return this.body.toString(StandardCharsets.UTF_8);
		}

		/** Skips the dynamic table size updates an encoder may put first (RFC 7541, 6.3). */
		private static int firstFieldOffset(byte[] block, int start) {
			int offset = start;
			while (offset < block.length && (block[offset] & 0xe0) == 0x20) {
				boolean continued = (block[offset++] & 0x1f) == 0x1f;
				while (continued && offset < block.length) {
					continued = (block[offset++] & 0x80) != 0;
				}
			}
			return offset - start;
		}

		private void frame(int type, int flags, byte[] payload) {
			if (type == RST_STREAM) {
				this.complete.completeExceptionally(
						new IOException("Stream " + this.streamId + " reset, error " + ByteBuffer.wrap(payload).getInt()));
				return;
			}
			if (type == HEADERS && this.status == -1) {
				int start = (((flags & PADDED) != 0) ? 1 : 0) + (((flags & PRIORITY) != 0) ? 5 : 0);
				int first = start + firstFieldOffset(payload, start);
				this.status = (first >= payload.length) ? -1 : switch (payload[first] & 0xff) {
					case 0x88 -> 200;
					case 0x89 -> 204;
					case 0x8a -> 206;
					case 0x8b -> 304;
					case 0x8c -> 400;
					case 0x8d -> 404;
					case 0x8e -> 500;
					default -> -1;
				};
			}
			if (type == DATA) {
				this.body.writeBytes(payload);
			}
			if ((flags & END_STREAM) != 0) {
				this.complete.complete(this);
			}
		}

	}

	private static final class TrustingAnyCertificate implements X509TrustManager {

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType) {
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType) {
		}

		@Override
		public X509Certificate[] getAcceptedIssuers() {
			return new X509Certificate[0];
		}

	}

}
