package dev.lifecycle.probes;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

class DeadlockedThreadsHealthIndicatorTests {

	private final DeadlockedThreadsHealthIndicator indicator = new DeadlockedThreadsHealthIndicator();

	@Test
	void upWithoutDeadlock() {
		assertThat(this.indicator.health().getStatus()).isEqualTo(Status.UP);
	}

	@Test
	void downWhileTwoThreadsWaitForEachOthersLock() throws InterruptedException {
		ReentrantLock first = new ReentrantLock();
		ReentrantLock second = new ReentrantLock();
		CountDownLatch bothHoldOne = new CountDownLatch(2);
		Thread left = lockInOrder("deadlock-left", first, second, bothHoldOne);
		Thread right = lockInOrder("deadlock-right", second, first, bothHoldOne);
		try {
			Health health = awaitDown();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails().get("deadlockedThreads").toString()).contains("deadlock-left",
					"deadlock-right");
		}
		finally {
			// lockInterruptibly lets the test end the deadlock it made.
			left.interrupt();
			right.interrupt();
			left.join(5000);
			right.join(5000);
		}
		assertThat(this.indicator.health().getStatus()).isEqualTo(Status.UP);
	}

	private Health awaitDown() throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		Health health = this.indicator.health();
		while (health.getStatus() != Status.DOWN && System.nanoTime() < deadline) {
			TimeUnit.MILLISECONDS.sleep(10);
			health = this.indicator.health();
		}
		return health;
	}

	private static Thread lockInOrder(String name, ReentrantLock held, ReentrantLock wanted, CountDownLatch bothHoldOne) {
		Thread thread = new Thread(() -> {
			held.lock();
			try {
				bothHoldOne.countDown();
				bothHoldOne.await();
				wanted.lockInterruptibly();
				wanted.unlock();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				held.unlock();
			}
		}, name);
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

}
