package dev.lifecycle.warmup;

/**
 * Warm-up work of the application's own, run during the warm-up phase under its budget:
 * fill a cache, open pool connections. Declare implementations as beans.
 */
@FunctionalInterface
public interface WarmupTask {

	/**
	 * Does the work. A failure is logged and counted; it never keeps the application
	 * from becoming ready.
	 * @throws Exception on failure
	 */
	void warmUp() throws Exception;

}
