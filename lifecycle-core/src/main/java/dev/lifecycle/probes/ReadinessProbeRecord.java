package dev.lifecycle.probes;

/**
 * Remembers what the readiness probe answered over HTTP ({@code /readyz} or
 * {@code /actuator/health/readiness}): the kubelet puts a pod in the endpoints only once
 * that answer passed, so it is the truth about whether a load balancer may route here,
 * whatever the readiness group holds and however start-up went. Each Boot line's starter
 * feeds it from the readiness group's status mapping.
 */
public final class ReadinessProbeRecord {

	/** The name of the health group the readiness probe asks. */
	public static final String GROUP = "readiness";

	/** What the readiness probe said during the life of this application. */
	public enum Verdict {

		/** Nobody asked: no readiness probe, or none yet. */
		NEVER_ASKED,

		/** Asked, and it never passed: the pod was never in the endpoints. */
		NEVER_PASSED,

		/** It passed at least once. */
		PASSED

	}

	private volatile boolean asked;

	private volatile boolean passed;

	/** Creates a record of a probe nobody has asked yet. */
	public ReadinessProbeRecord() {
	}

	/** {@return what the readiness probe said so far} */
	public Verdict verdict() {
		return this.passed ? Verdict.PASSED : (this.asked ? Verdict.NEVER_PASSED : Verdict.NEVER_ASKED);
	}

	/**
	 * Records an answer with the HTTP status the probe got; 2xx and 3xx pass, as for the kubelet.
	 *
	 * @param statusCode the HTTP status of the answer
	 */
	public void answered(int statusCode) {
		this.asked = true;
		if (statusCode >= 200 && statusCode < 400) {
			this.passed = true;
		}
	}

}
