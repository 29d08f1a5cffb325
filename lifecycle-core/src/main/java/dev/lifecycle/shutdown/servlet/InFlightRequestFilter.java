package dev.lifecycle.shutdown.servlet;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.MediaType;

import dev.lifecycle.shutdown.InFlightRequests;
import dev.lifecycle.shutdown.ShutdownCoordinator;
import dev.lifecycle.web.PathPrefixes;

/**
 * Tracks each request of the servlet stack from arrival to the end of its response
 * (asynchronous requests included), and lets the drain complete server-sent event
 * streams. Keep-alive clients are asked to reconnect elsewhere by the web server itself
 * (Tomcat: {@code KeepAliveEnd}, Jetty: {@code JettyConnectionClose}): a
 * {@code Connection: close} header set here would cost a body of unknown length its
 * chunked framing.
 */
public final class InFlightRequestFilter implements Filter {

	private final InFlightRequests requests;

	private final PathPrefixes untrackedPaths;

	/**
	 * Creates the filter.
	 *
	 * @param coordinator the shutdown sequence, whose requests in flight this tracks
	 * @param untrackedPathPrefixes paths that are not traffic (probes, actuator): they
	 * neither count as in-flight nor break the quiet period
	 */
	public InFlightRequestFilter(ShutdownCoordinator coordinator, List<String> untrackedPathPrefixes) {
		this.requests = coordinator.requests();
		this.untrackedPaths = new PathPrefixes(untrackedPathPrefixes);
	}

	/**
	 * Registered for the REQUEST dispatch only: an asynchronous request is followed to its
	 * end by an {@link AsyncListener}, not by the ASYNC and ERROR dispatches, so the hot path
	 * needs no once-per-request bookkeeping.
	 */
	@Override
	public void doFilter(ServletRequest servletRequest, ServletResponse servletResponse, FilterChain chain)
			throws ServletException, IOException {
		HttpServletRequest request = (HttpServletRequest) servletRequest;
		HttpServletResponse response = (HttpServletResponse) servletResponse;
		if (this.untrackedPaths.contains(request.getRequestURI())) {
			chain.doFilter(request, response);
			return;
		}
		InFlightRequests.Request tracked = this.requests.begin(request.getMethod(), request.getRequestURI());
		try {
			chain.doFilter(request, response);
		}
		finally {
			if (request.isAsyncStarted()) {
				AsyncContext async = request.getAsyncContext();
				async.addListener(new EndOnAsyncCompletion(tracked));
				if (isEventStream(response)) {
					tracked.endStreamOnDrain(async::complete);
				}
			}
			else {
				tracked.end();
			}
		}
	}

	private static boolean isEventStream(HttpServletResponse response) {
		String contentType = response.getContentType();
		return contentType != null && contentType.startsWith(MediaType.TEXT_EVENT_STREAM_VALUE);
	}

	private record EndOnAsyncCompletion(InFlightRequests.Request tracked) implements AsyncListener {

		@Override
		public void onComplete(AsyncEvent event) {
			this.tracked.end();
		}

		@Override
		public void onTimeout(AsyncEvent event) {
			// The container still completes the request (error dispatch) and calls onComplete.
		}

		@Override
		public void onError(AsyncEvent event) {
			this.tracked.end();
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
			// A new async cycle drops the listeners of the previous one.
			event.getAsyncContext().addListener(this);
		}

	}

}
