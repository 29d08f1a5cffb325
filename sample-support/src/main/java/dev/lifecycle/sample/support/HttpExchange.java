package dev.lifecycle.sample.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request on a new TCP connection, read byte by byte: the tests must see
 * exactly what a client sees (a refused connection, a {@code Connection: close} header),
 * which pooling HTTP clients hide.
 */
public record HttpExchange(int status, Map<String, String> headers, String body) {

	public static HttpExchange get(int port, String path, Duration timeout) throws IOException {
		return exchange("GET", port, path, timeout);
	}

	/** A POST without a body. */
	public static HttpExchange post(int port, String path, Duration timeout) throws IOException {
		return exchange("POST", port, path, timeout);
	}

	private static HttpExchange exchange(String method, int port, String path, Duration timeout) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
			socket.setSoTimeout((int) timeout.toMillis());
			// A keep-alive request: any Connection: close in the answer is the server's decision.
			String request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
					+ (method.equals("GET") ? "" : "\r\nContent-Length: 0") + "\r\n\r\n";
			socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
			InputStream in = socket.getInputStream();
			int status = readStatus(in);
			Map<String, String> headers = readHeaders(in);
			return new HttpExchange(status, headers, readBody(in, headers));
		}
	}

	public boolean closesConnection() {
		return "close".equalsIgnoreCase(this.headers.get("connection"));
	}

	private static String readBody(InputStream in, Map<String, String> headers) throws IOException {
		String length = headers.get("content-length");
		if (length != null) {
			return new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
		}
		if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
			return readChunked(in);
		}
		return "";
	}

	/** Reads a response's status line: its status code. */
	static int readStatus(InputStream in) throws IOException {
		String statusLine = readLine(in);
		if (statusLine == null) {
			throw new IOException("Connection closed before a response");
		}
		return Integer.parseInt(statusLine.split(" ")[1]);
	}

	/** Reads a response's headers, names in lower case, up to the empty line. */
	static Map<String, String> readHeaders(InputStream in) throws IOException {
		Map<String, String> headers = new LinkedHashMap<>();
		for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
			int colon = line.indexOf(':');
			headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
		}
		return headers;
	}

	/**
	 * Reads a chunked body, up to and including its last chunk's empty line. The bytes are
	 * decoded together: a character may span two chunks.
	 */
	static String readChunked(InputStream in) throws IOException {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		for (int size = Integer.parseInt(readLine(in).trim(), 16); size > 0; size = Integer
			.parseInt(readLine(in).trim(), 16)) {
			body.write(in.readNBytes(size));
			readLine(in);
		}
		readLine(in);
		return body.toString(StandardCharsets.UTF_8);
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		for (int b = in.read(); b != -1; b = in.read()) {
			if (b == '\n') {
				return line.toString(StandardCharsets.US_ASCII).stripTrailing();
			}
			line.write(b);
		}
		return (line.size() > 0) ? line.toString(StandardCharsets.US_ASCII) : null;
	}

}
