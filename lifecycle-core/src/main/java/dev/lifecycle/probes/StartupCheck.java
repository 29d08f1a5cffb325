package dev.lifecycle.probes;

/**
 * A part of start-up that must finish before the startup probe goes UP, such as a cache
 * preload. Declare implementations as beans; the startup probe stays DOWN until the
 * application is ready and every check is complete.
 */
@FunctionalInterface
public interface StartupCheck {

	/**
	 * {@return whether this part of start-up is done} Asked on each startup probe, and each
	 * read of the {@code lifecycle.startup.checks.pending} meter, until it answers
	 * {@code true} once; an exception counts as not done.
	 */
	boolean isComplete();

}
