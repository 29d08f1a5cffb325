package dev.lifecycle.shutdown;

import java.util.concurrent.atomic.LongAdder;

/**
 * The connections the web server accepts: the evidence that a load balancer still routes
 * here. Requests on connections that already existed prove nothing (a client keeps its
 * keep-alive connection whatever the endpoints say), new connections do. A web stack
 * adapter calls {@link #accepted()} for each; where no adapter can see connections, the
 * quiet period falls back to request arrivals.
 */
public final class NewConnections {

	private final LongAdder accepted = new LongAdder();

	private volatile long lastAcceptedNanos = System.nanoTime();

	private volatile boolean observed;

	/** Creates a count that no web server reports to yet. */
	public NewConnections() {
	}

	/** Says that the web server reports each connection it accepts from now on. */
	public void observed() {
		this.observed = true;
	}

	/** Records a connection the web server accepted. */
	public void accepted() {
		this.lastAcceptedNanos = System.nanoTime();
		this.accepted.increment();
	}

	/** {@return whether the web server reports the connections it accepts} */
	public boolean isObserved() {
		return this.observed;
	}

	/** {@return connections accepted since this instance was created} */
	public long count() {
		return this.accepted.sum();
	}

	/** {@return the {@link System#nanoTime()} of the most recent accept} */
	long lastAcceptedNanos() {
		return this.lastAcceptedNanos;
	}

}
